/**
 * Outbound: every pending local version goes to the server, in order per
 * resource (issue 4 "Outbound").
 *
 * Each version is a PUT with the resource's own id (ids are the same on every
 * instance and the server, so a retry can never make a second copy) and
 * `If-Match` on the server version last shared, or on the server version a
 * merge was made onto. Its `meta.source` names this instance and the local
 * version, so a push whose answer was lost (sent, stored there, but never
 * recorded here: a crash, a dropped connection) is recognised when the retry
 * finds the server ahead with exactly this content, and is recorded instead of
 * being sent again. When someone else changed the resource first (412), their
 * version is merged here (inbound.ts) and the merge result is pushed next.
 */
import { ourVersion, sameContent, serverForm, type SyncContext } from './context.ts';
import { applyRemote, recordShared } from './inbound.ts';
import { clearPending, pendingVersions, type PendingVersion } from './outbox.ts';
import { RemoteRefused, RemoteUnavailable, type RemoteResource } from './remote.ts';

export interface PushCounts {
  pushed: number;
  /** Versions whose resource the server had changed: merged here, the merge goes out next. */
  merged: number;
  refused: number;
}

type Outcome = 'pushed' | 'merged' | 'refused';

/** Pending versions grouped by resource, resources in the order of their oldest pending change. */
function byResource(pending: PendingVersion[]): PendingVersion[][] {
  const groups = new Map<string, PendingVersion[]>();
  for (const p of pending) {
    const k = `${p.type}/${p.id}`;
    (groups.get(k) ?? groups.set(k, []).get(k))?.push(p);
  }
  return [...groups.values()].map((g) => g.sort((a, b) => a.versionId - b.versionId));
}

/**
 * Pushes the outbox. `mayContinue` is asked before every request (the lease
 * must still be held). A server that cannot be reached throws
 * RemoteUnavailable: the rest waits for the next attempt, in the same order.
 */
export async function push(s: SyncContext, mayContinue: () => Promise<boolean>): Promise<PushCounts> {
  const counts: PushCounts = { pushed: 0, merged: 0, refused: 0 };
  try {
    await pushPasses(s, mayContinue, counts);
  } finally {
    // The figures for /sync/status, once per push rather than once per version (also when the server went away midway).
    if (counts.pushed > 0) await s.state.note({ $inc: { pushed: counts.pushed }, $set: { lastPushAt: s.now() } });
  }
  return counts;
}

async function pushPasses(s: SyncContext, mayContinue: () => Promise<boolean>, counts: PushCounts): Promise<void> {
  for (let pass = 0; pass < 3; pass++) {
    let merged = false;
    for (let versions of byResource(await pendingVersions(s.versions))) {
      // A merge result carries the changes of the versions before it: only it and what follows go out.
      const rebase = versions.findLastIndex((v) => v.rebasedOn !== undefined);
      if (rebase > 0) {
        const first = versions[0]!;
        await clearPending(s.versions, first.type, first.id, versions.slice(0, rebase).map((v) => v.versionId));
        versions = versions.slice(rebase);
      }
      for (const p of versions) {
        if (!(await mayContinue())) return;
        const outcome = await pushOne(s, p);
        counts[outcome]++;
        // Refused: each version is a whole resource, so a later one (perhaps the fix) goes instead;
        // once one lands, the refused one leaves the outbox with it. The refusal stays on /sync/status.
        if (outcome === 'refused') continue;
        if (outcome === 'merged') {
          merged = true;
          break; // this resource's later versions are in the merge result, which goes next
        }
      }
    }
    if (!merged) break;
  }
}

async function pushOne(s: SyncContext, p: PendingVersion): Promise<Outcome> {
  const { type, id, versionId: n } = p;
  const st = await s.state.get(type, id);
  if (st && st.base >= n) {
    await clearPending(s.versions, type, id, [n]); // pushed before, recorded, only the mark was left
    return 'pushed';
  }
  const v = await s.versions.version(type, id, n);
  if (!v) {
    await clearPending(s.versions, type, id, [n]);
    return 'pushed';
  }
  try {
    if (v.deleted) {
      if (st?.remoteVid) {
        // Only a version this instance has seen is deleted: an edit made there meanwhile outlives the deletion.
        const there = await s.remote.read(type, id);
        if (there && there.meta.versionId !== st.remoteVid) return await onServerAhead(s, p, undefined, there);
        if (there) await s.remote.remove(type, id);
      }
      await s.state.set(type, id, { remoteVid: null, base: n, baseContent: null });
      await clearPending(s.versions, type, id, [n]);
      return 'pushed';
    }
    const body = await serverForm(s, v);
    // The server version last shared; a merge result not yet recorded as based on it names its own.
    const ifMatch = st?.remoteVid ?? p.rebasedOn;
    let stored: RemoteResource;
    if (!ifMatch) {
      // Not on the server as far as this instance knows: look first, so a lost answer is not pushed twice.
      const there = await s.remote.read(type, id);
      if (there) return await onServerAhead(s, p, body, there);
      const created = await createOnServer(s, body, undefined);
      if ('overtaken' in created) return await onServerAhead(s, p, body, created.overtaken);
      stored = created.stored;
    } else {
      try {
        stored = await s.remote.put(body, ifMatch);
      } catch (err) {
        if (!(err instanceof RemoteRefused) || ![404, 409, 410, 412].includes(err.status)) throw err;
        const there = await s.remote.read(type, id);
        if (there) return await onServerAhead(s, p, body, there);
        // Deleted there while changed here: the edit outlives the deletion (README, "Sync").
        const created = await createOnServer(s, body, ifMatch);
        if ('overtaken' in created) return await onServerAhead(s, p, body, created.overtaken);
        stored = created.stored;
      }
    }
    await recordShared(s, st, body, stored.meta.versionId, n);
    return 'pushed';
  } catch (err) {
    if (!(err instanceof RemoteRefused)) throw err;
    await s.state.set(type, id, { error: { at: s.now(), message: `Push of version ${n} refused: ${err.message}` } }, false);
    return 'refused';
  }
}

/**
 * Creates on the server a resource it did not have when this instance looked,
 * without overwriting one another party created under that id since: that
 * version reached the server first, and is kept (README, "Sync"). R4 has no
 * create-only update; the PUT carries `If-None-Match: *` (remote.ts), and a
 * server that honours it refuses with 412. Medplum does not (its 4.x router
 * passes only If-Match to an update), nor, as far as we could find, does HAPI:
 * so the history is asked what this PUT replaced. A version there that this
 * instance did not know (`known`: the one it last shared, since deleted) and
 * did not push was someone else's creation: it is put back — If-Match on this
 * PUT's version, so nothing newer is overwritten either — and this
 * instance's version is merged onto it like any change made there first.
 */
async function createOnServer(s: SyncContext, body: fhir4.Resource & { id: string }, known: string | undefined): Promise<{ stored: RemoteResource } | { overtaken: RemoteResource }> {
  const { resourceType: type, id } = body;
  const overtaken = async (): Promise<{ stored: RemoteResource } | { overtaken: RemoteResource }> => {
    const there = await s.remote.read(type, id);
    if (!there) throw new RemoteUnavailable(`PUT ${type}/${id} was refused as taken, and then nothing was there; trying again later`);
    return { overtaken: there };
  };
  let stored: RemoteResource;
  try {
    stored = await s.remote.put(body);
  } catch (err) {
    if (err instanceof RemoteRefused && (err.status === 412 || err.status === 409)) return overtaken();
    throw err;
  }
  const replaced = await s.remote.versionBefore(type, id, stored.meta.versionId);
  if (!replaced || replaced.meta.versionId === known || ourVersion(s, replaced) !== undefined) return { stored };
  const { versionId: _v, lastUpdated: _l, ...meta } = replaced.meta;
  try {
    return { overtaken: await s.remote.put({ ...replaced, meta } as fhir4.Resource & { id: string }, stored.meta.versionId) };
  } catch (err) {
    if (err instanceof RemoteRefused && [404, 409, 410, 412].includes(err.status)) return overtaken(); // changed again meanwhile: merge onto that
    throw err;
  }
}

/**
 * The server has a version this instance did not base its change on: its own
 * push whose answer was lost (`body`: what was pushed), or someone else's change.
 */
async function onServerAhead(s: SyncContext, p: PendingVersion, body: (fhir4.Resource & { id: string }) | undefined, there: RemoteResource): Promise<Outcome> {
  if (body && ourVersion(s, there) === p.versionId && sameContent(there, body)) {
    await recordShared(s, await s.state.get(p.type, p.id), there, there.meta.versionId, p.versionId);
    return 'pushed';
  }
  const applied = await applyRemote(s, there);
  return applied === 'refused' ? 'refused' : 'merged';
}
