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
import { RemoteRefused, type RemoteResource } from './remote.ts';

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
      stored = await s.remote.put(body);
    } else {
      try {
        stored = await s.remote.put(body, ifMatch);
      } catch (err) {
        if (!(err instanceof RemoteRefused) || ![404, 409, 410, 412].includes(err.status)) throw err;
        const there = await s.remote.read(type, id);
        // Deleted there while changed here: the edit outlives the deletion (README, "Sync").
        if (!there) stored = await s.remote.put(body);
        else return await onServerAhead(s, p, body, there);
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
