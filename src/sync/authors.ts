/**
 * Who a conflict record names (conflicts.ts keptBy / lostBy), and how far
 * that is believed.
 *
 *  - The losing local change is the one that introduced the lost value: of
 *    the local versions since the one last shared, the oldest of the newest
 *    run that holds it at the element. Its author, not the newest version's,
 *    who may have changed something else since (or be sync's own merge).
 *  - What a server says is a claim. A version there names its author in a tag
 *    any writer on the server can copy or make up, and conflict records travel
 *    on the resource. A claim that a person of THIS instance made a change is
 *    taken only when this instance can see it is so: the version is its own
 *    push, unchanged; a conflict record's value is one a local version by that
 *    person held at that element. Otherwise it is recorded as unverified. A
 *    claim about another instance cannot be checked here and stays as it came.
 */
import { isDeepStrictEqual } from 'node:util';
import type { VersionDoc } from '../store/index.ts';
import { EXTENSION } from '../validation/index.ts';
import { content, localAuthor, ourVersion, remoteAuthor, sameContent, serverForm, type SyncContext } from './context.ts';
import type { Conflict } from './merge.ts';
import type { RemoteResource } from './remote.ts';

/** The value at a JSON Pointer (https://www.rfc-editor.org/rfc/rfc6901), or undefined. */
function at(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * The local versions from `current` back to the one after `base`, newest first (deletions end the walk),
 * as version documents: the projection `current` may come from carries no author.
 */
async function* localVersions(s: SyncContext, current: VersionDoc, base: number): AsyncGenerator<VersionDoc> {
  for (let n = current.versionId; n > base; n--) {
    const v = await s.versions.version(current.type, current.id, n);
    if (!v || v.deleted) return;
    yield v;
  }
}

/** The author of the local change that lost `c` (see the file comment); `base`: the local version last shared. */
export async function loserOf(s: SyncContext, current: VersionDoc, base: number, c: Conflict): Promise<string> {
  let introduced: VersionDoc | undefined;
  for await (const v of localVersions(s, current, base)) {
    if (!isDeepStrictEqual(at(content(await serverForm(s, v)), c.path), c.lost)) break;
    introduced = v;
  }
  return localAuthor(s, introduced ?? current);
}

const mine = (s: SyncContext, who: string): boolean => who.endsWith(` @ ${s.instance}`);
const unverified = (who: string): string => `unverified (the server names ${who})`;

/** Who wrote a server version, as this instance can vouch for it. */
export async function vouchedAuthor(s: SyncContext, r: RemoteResource): Promise<string> {
  const claimed = remoteAuthor(r);
  if (!mine(s, claimed)) return claimed;
  const n = ourVersion(s, r);
  const pushed = n === undefined ? null : await s.versions.version(r.resourceType, r.id, n);
  return pushed && !pushed.deleted && sameContent(await serverForm(s, pushed), r) ? claimed : unverified(claimed);
}

/** Whether a local version by `who` (as `localAuthor` names it) held `json` (JSON text; undefined: nothing) at `pointer`. */
async function bornOut(s: SyncContext, current: VersionDoc | null, who: string, pointer: string, json: string | undefined): Promise<boolean> {
  if (!current) return false;
  for await (const v of localVersions(s, current, 0)) {
    if (localAuthor(s, v) !== who) continue;
    const value = at(content(await serverForm(s, v)), pointer);
    if ((value === undefined ? undefined : JSON.stringify(value)) === json) return true;
  }
  return false;
}

/**
 * The server version with its conflict records vetted: a keptBy / lostBy
 * naming a person of this instance is kept when the local copy of that record
 * (same record id) says the same, or a local version of that person held that
 * value at that element; else it becomes unverified.
 */
export async function vetConflictRecords(s: SyncContext, r: RemoteResource, current: VersionDoc | null): Promise<RemoteResource> {
  const sub = (e: fhir4.Extension, url: string): string | undefined => e.extension?.find((x) => x.url === url)?.valueString;
  const local = ((current?.resource as RemoteResource | null)?.extension ?? []).filter((e) => e.url === EXTENSION.syncConflict);
  let changed = false;
  const extension: fhir4.Extension[] = [];
  for (const e of r.extension ?? []) {
    if (e.url !== EXTENSION.syncConflict) {
      extension.push(e);
      continue;
    }
    const same = local.find((l) => sub(l, 'id') === sub(e, 'id'));
    const subs: fhir4.Extension[] = [];
    for (const x of e.extension ?? []) {
      const claim = (x.url === 'keptBy' || x.url === 'lostBy') && x.valueString && mine(s, x.valueString) ? x.valueString : undefined;
      const vouched = !claim || (same && sub(same, x.url) === claim) || (await bornOut(s, current, claim, sub(e, 'element') ?? '', sub(e, x.url === 'keptBy' ? 'kept' : 'lost')));
      subs.push(vouched ? x : { ...x, valueString: unverified(claim) });
      changed ||= !vouched;
    }
    extension.push({ ...e, extension: subs });
  }
  return changed ? { ...r, extension } : r;
}
