/**
 * Inbound: the server's changes become local versions (issue 4 "Inbound").
 *
 * A pull asks for every resource of a synced type changed since the stored
 * checkpoint minus an overlap (a change committed on the server just behind
 * the last one seen is not missed; what the overlap fetches again is
 * recognised by its version id and skipped). Each change is then:
 *   - already known (its server version id is the one last shared): skipped;
 *   - this instance's own push coming back (`meta.source`, same content): recorded, skipped;
 *   - a change while nothing changed here since the version last shared: stored as the next local version;
 *   - a change while this instance changed it too: merged (merge.ts) and stored as a
 *     local version that is pending, to be pushed onto the server's version.
 * Deletions cannot be seen in a `_lastUpdated` search (docs/fhir-peer-notes.md):
 * `detectDeletions` asks the server which of the resources it had are still there.
 */
import { FhirError } from '../errors.ts';
import { SYNCED_TYPES } from '../store/models.ts';
import type { StoredVersion, VersionDoc } from '../store/index.ts';
import { TRANSITIONS, type PlanStatus } from '../plans/index.ts';
import { validateResource } from '../validation/index.ts';
import { content, ourVersion, sameContent, serverForm, type SyncContext } from './context.ts';
import { loserOf, vetConflictRecords, vouchedAuthor } from './authors.ts';
import { localDigest, reconcileAgreement, renewedThere } from './agreement.ts';
import { recordsFor, withConflicts } from './conflicts.ts';
import { merge3 } from './merge.ts';
import { clearPendingBelow } from './outbox.ts';
import { toLocalForm } from './references.ts';
import { RemoteUnavailable, type RemoteResource } from './remote.ts';
import type { ResourceState } from './state.ts';

/** What became of a server version; 'later': not taken in yet (local writers kept winning), the next pull brings it again. */
export type Applied = 'seen' | 'echo' | 'applied' | 'merged' | 'refused' | 'later';

const PAGE = 100;
const RACE_RETRIES = 5;

/** Stores one version through the guarded store; false when a local writer got there first. */
async function writeLocal(s: SyncContext, current: StoredVersion | null, type: string, id: string, resource: fhir4.FhirResource | null, mark: { remote: { vid: string; source?: string } } | { rebasedOn: string }): Promise<VersionDoc | false> {
  const action = resource === null ? 'delete' : current && !current.deleted ? 'update' : 'create';
  try {
    return await s.store.write(s.ctx, action, { type, id, resource, expect: current?.versionId ?? 0, current, ...mark });
  } catch (err) {
    if (err instanceof FhirError && (err.kind === 'precondition-failed' || err.kind === 'conflict')) return false;
    throw err;
  }
}

/** The body to store locally for a server version: references resolved here, the server's meta minus its version. */
async function localBody(s: SyncContext, r: fhir4.Resource, meta: fhir4.Meta | undefined): Promise<fhir4.FhirResource> {
  const local = localDigest(await toLocalForm(r, s.localBase, s.resolver));
  const { versionId: _v, lastUpdated: _l, ...keep } = meta ?? {};
  const { meta: _m, ...rest } = local;
  // An empty meta would break ele-1 (every element has a value or children).
  return (Object.keys(keep).length > 0 ? { ...rest, meta: keep } : rest) as fhir4.FhirResource;
}

async function refuse(s: SyncContext, r: RemoteResource, message: string): Promise<Applied> {
  await s.state.set(r.resourceType, r.id, { error: { at: s.now(), message } }, false);
  return 'refused';
}

/** Applies one server version (see the file comment). Also used by a push that found the server ahead. */
export async function applyRemote(s: SyncContext, r: RemoteResource): Promise<Applied> {
  for (let attempt = 0; ; attempt++) {
    const result = await applyOnce(s, r);
    if (result !== 'raced') return result;
    if (attempt >= RACE_RETRIES) {
      await refuse(s, r, `Kept losing the race with local writers while applying server version ${r.meta.versionId}; trying again on the next pull`);
      return 'later';
    }
  }
}

async function applyOnce(s: SyncContext, r: RemoteResource): Promise<Applied | 'raced'> {
  const { resourceType: type, id } = r;
  if (!SYNCED_TYPES.has(type)) throw new Error(`sync does not take in ${type} resources`); // remote.ts filters; never reached
  const vid = r.meta.versionId;
  const st = await s.state.get(type, id);
  if (st?.remoteVid === vid) return 'seen';
  const current = await s.versions.current(type, id);

  // This instance's own push coming back — not an older version of it restored there by someone else.
  const mine = ourVersion(s, r);
  if (mine !== undefined && mine >= (st?.base ?? 0)) {
    const pushed = await s.versions.version(type, id, mine);
    if (pushed && !pushed.deleted && sameContent(await serverForm(s, pushed), r)) {
      await recordShared(s, st, r, vid, mine);
      return 'echo';
    }
  }

  const base = (st?.baseContent ?? undefined) as fhir4.Resource | undefined;
  const changedHere = current !== null && current.versionId > (st?.base ?? 0);
  // Conflict records from elsewhere are taken in, but not their word about this instance's people (authors.ts).
  const vetted = await vetConflictRecords(s, r, current);
  if (changedHere && !current.deleted) return mergeOnto(s, r, vetted, st, current, base);

  // Nothing changed here since the version last shared (or only a deletion here, which an edit there outlives).
  const shared = reconcileAgreement(vetted, [{ version: base, trusted: true }, { version: vetted, trusted: renewedThere(r, base) }]);
  const body = await localBody(s, shared, r.meta);
  const refused = problems(body, current);
  if (refused) return refuse(s, r, `Server version ${vid} is not valid here: ${refused}`);
  const written = await writeLocal(s, current, type, id, body, { remote: { vid, ...(r.meta.source ? { source: r.meta.source } : {}) } });
  if (!written) return 'raced';
  await clearPendingBelow(s.versions, type, id, written.versionId);
  await s.state.set(type, id, { remoteVid: vid, base: written.versionId, baseContent: content(r) });
  return 'applied';
}

/**
 * Both sides changed the resource: merge, record conflicts, store as a pending version onto the server's.
 * `theirs` is `r` with its conflict records vetted (authors.ts): what is merged; `r` is what the server holds.
 */
async function mergeOnto(s: SyncContext, r: RemoteResource, theirs: RemoteResource, st: ResourceState | null, shown: VersionDoc, base: fhir4.Resource | undefined): Promise<Applied | 'raced'> {
  const { resourceType: type, id } = r;
  // The version document itself (the projection `current()` may answer from has no author).
  const current = (await s.versions.version(type, id, shown.versionId)) ?? shown;
  // Merged in the server's form, so that the two sides' ways of writing references do not differ.
  const local = content(await serverForm(s, current));
  const { merged, conflicts } = merge3<object>(base && content(base), local, content(theirs));
  const losers = await Promise.all(conflicts.map((c) => loserOf(s, current, st?.base ?? 0, c)));
  const records = recordsFor(conflicts, await vouchedAuthor(s, r), losers, s.now());
  const result = reconcileAgreement(withConflicts(merged as fhir4.DomainResource, records), [
    { version: base, trusted: true },
    { version: local as fhir4.Resource, trusted: true },
    { version: theirs, trusted: renewedThere(r, base) },
  ]);
  const body = await localBody(s, result, r.meta);
  if (sameContent(body, current.resource as fhir4.Resource)) {
    // The local version already holds everything the server has. If it IS the server's version,
    // it is shared; else it still goes out, now onto the server's version.
    if (sameContent(local as fhir4.Resource, r)) await recordShared(s, st, r, r.meta.versionId, current.versionId);
    else await s.state.set(type, id, { remoteVid: r.meta.versionId, baseContent: content(r) });
    return 'merged';
  }
  const refused = problems(body, current);
  if (refused) return refuse(s, r, `The merge of server version ${r.meta.versionId} with local version ${current.versionId} is not valid here: ${refused}`);
  const written = await writeLocal(s, current, type, id, body, { rebasedOn: r.meta.versionId });
  if (!written) return 'raced';
  // The merge result carries every local change still pending: those versions need not go out on their own.
  await clearPendingBelow(s.versions, type, id, written.versionId);
  await s.state.set(type, id, { remoteVid: r.meta.versionId, baseContent: content(r) });
  await s.state.note({ $inc: { merged: 1 } });
  return 'merged';
}

/** Remembers that local version `n` is on the server as version `vid` (`shared`: its content there). */
export async function recordShared(s: SyncContext, st: ResourceState | null, shared: fhir4.Resource & { id: string }, vid: string, n: number): Promise<void> {
  const { resourceType: type, id } = shared;
  if ((st?.base ?? 0) > n) return; // a later version is already shared
  await s.state.set(type, id, { remoteVid: vid, base: n, baseContent: content(shared) });
  await clearPendingBelow(s.versions, type, id, n + 1);
}

/** Why a version may not be stored here, or undefined when it may. */
function problems(body: fhir4.FhirResource, current: StoredVersion | null): string | undefined {
  const errors = validateResource(body).filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length > 0) return errors.map((e) => `${e.expression?.[0] ?? ''} ${e.diagnostics ?? ''}`.trim()).join('; ');
  if (body.resourceType !== 'CarePlan' || !current?.resource || current.deleted) return undefined;
  // The lifecycle holds for changes from elsewhere too. A pull sees only the newest version, so the
  // steps between may be unseen (draft → active → completed arrives as draft → completed): the new
  // status must be reachable, not one step away. Nothing reaches back from completed to active.
  const from = (current.resource as fhir4.CarePlan).status;
  const to = body.status;
  return reachable(from, to) ? undefined : `a plan's status cannot go from ${from} to ${to} (src/plans/lifecycle.ts)`;
}

function reachable(from: PlanStatus, to: PlanStatus): boolean {
  const seen = new Set<PlanStatus>([from]);
  for (const s of seen) for (const next of TRANSITIONS[s]) seen.add(next);
  return seen.has(to);
}

/** Applies one server version; an error of this version alone is recorded as its refusal and does not stop the pull. */
async function applyGuarded(s: SyncContext, r: RemoteResource): Promise<Applied> {
  try {
    return await applyRemote(s, r);
  } catch (err) {
    if (err instanceof RemoteUnavailable) throw err; // the server, not this version: the whole pull waits
    return refuse(s, r, `Server version ${r.meta.versionId} could not be taken in: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Pulls every synced type's changes since its checkpoint; `mayContinue` is asked before each page. */
export async function pull(s: SyncContext, overlapMs: number, mayContinue: () => Promise<boolean> = async () => true): Promise<Record<Applied, number>> {
  const counts: Record<Applied, number> = { seen: 0, echo: 0, applied: 0, merged: 0, refused: 0, later: 0 };
  for (const type of SYNCED_TYPES) {
    const checkpoint = await s.state.checkpoint(type);
    let cursor = checkpoint ? new Date(checkpoint.getTime() - overlapMs) : new Date(0);
    let offset = 0;
    let newest = checkpoint;
    let held: Date | undefined; // the oldest version to be fetched again
    const done = new Set<string>();
    while (await mayContinue()) {
      // Keyset paging on lastUpdated (plus an offset only within one instant): changes made while
      // paging move to the end instead of shifting unseen ones onto pages already read.
      const page = await s.remote.changedSince(type, cursor, PAGE, offset);
      let fresh = 0;
      for (const r of page) {
        const key = `${r.id}/${r.meta.versionId}`;
        if (done.has(key)) continue;
        done.add(key);
        fresh++;
        const applied = await applyGuarded(s, r);
        counts[applied]++;
        const at = r.meta.lastUpdated ? new Date(r.meta.lastUpdated) : undefined;
        if (at && applied === 'later' && (!held || at < held)) held = at;
        if (at && (!newest || at > newest)) newest = at;
      }
      // A short page ends it; so does a page with nothing new (a server that ignores _offset
      // would otherwise answer the same page for ever).
      if (page.length < PAGE || fresh === 0) break;
      const last = page[page.length - 1]?.meta.lastUpdated;
      const lastAt = last ? new Date(last) : cursor;
      if (lastAt > cursor) {
        cursor = lastAt;
        offset = 0;
      } else offset += PAGE;
    }
    const upTo = held && newest && held < newest ? held : newest;
    if (upTo) await s.state.setCheckpoint(type, upTo);
  }
  return counts;
}

/** Finds resources deleted on the server and deletes them here (unless changed here meanwhile: an edit outlives a deletion). */
export async function detectDeletions(s: SyncContext): Promise<number> {
  let deleted = 0;
  for (const type of SYNCED_TYPES) {
    const known = await s.state.onServer(type);
    if (known.length === 0) continue;
    const present = await s.remote.present(type, known.map((k) => k.id));
    for (const st of known.filter((k) => !present.has(k.id))) {
      // Read once more: a resource created just now by someone else could be missing from an older answer.
      if (await s.remote.read(type, st.id)) continue;
      const current = await s.versions.current(type, st.id);
      if (current && !current.deleted && current.versionId === st.base) {
        const written = await writeLocal(s, current, type, st.id, null, { remote: { vid: 'deleted' } });
        if (!written) continue; // changed here meanwhile: the next cycle sees the edit
        await s.state.set(type, st.id, { remoteVid: null, base: written.versionId, baseContent: null });
        deleted++;
      } else {
        // Deleted here too, or changed here since: the local edit will be pushed as a new resource.
        await s.state.set(type, st.id, { remoteVid: null, baseContent: null });
      }
    }
  }
  return deleted;
}
