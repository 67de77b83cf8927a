/**
 * Versioned reads and writes of single resources (see models.ts for why the
 * truth is the `versions` collection and every write is a unique-key insert).
 *
 * A write of version n+1 inserts "Type/id/_history/(n+1)". If another writer
 * got there first the insert fails and nothing was written: 412, or — when the
 * caller did not pin a version — the caller redoes its change on the newer
 * version (fhir/write-pipeline.ts). A successful insert IS the new version: a
 * crash after it loses nothing, and a failed one leaves nothing behind.
 */
import { FhirError, fail } from '../errors.ts';
import { isDuplicateKey, NOTIFIED_TYPES, SYNCED_TYPES, type FhirResource, type Models, type ResourceDoc, type StoredVersion, type VersionDoc } from './models.ts';
import { searchValuesOf } from './search/index-values.ts';
import { keysOf } from './search/keys.ts';
import { decide, TXN_TIMEOUT_MS } from './decisions.ts';

/** `_id` of a version document, inside its type's collection. */
export const versionKey = (id: string, v: number): string => `${id}/_history/${v}`;

/** Stamps id and meta on a resource body for a given version. */
export function stamp(resource: FhirResource, id: string, versionId: number, lastUpdated: Date): FhirResource {
  return { ...resource, id, meta: { ...resource.meta, versionId: String(versionId), lastUpdated: lastUpdated.toISOString() } };
}

export interface WriteRequest {
  type: string;
  id: string;
  /** The new body, or null for a delete (a tombstone version). */
  resource: FhirResource | null;
  /** The version the writer based its change on: 0 when the resource does not exist yet. */
  expect: number;
  /**
   * The id was generated for this write just now (a server-assigned UUID), so
   * nothing can exist under it yet and no other writer can know it: the
   * version and its projection are inserted without reading anything first.
   */
  fresh?: boolean;
  /** Who is writing (recorded on the version; see VersionDoc.author). */
  author?: string;
  /** What kind of principal is writing (see StoredVersion.writtenBy). */
  writtenBy?: StoredVersion['writtenBy'];
  /** Set by sync when the version is the server's: it is not pending, and sync knows its server version. */
  remote?: { vid: string; source?: string };
  /** Set by sync on a merge result: local changes merged onto this server version (pending). */
  rebasedOn?: string;
}

/** Called after each committed write, e.g. so sync can push a local change at once. */
export type CommitListener = (docs: readonly VersionDoc[]) => void;

/** The version document a write inserts. */
export function newVersion(req: WriteRequest, lastUpdated: Date, txn?: string): VersionDoc {
  const versionId = req.expect + 1;
  const resource = req.resource ? stamp(req.resource, req.id, versionId, lastUpdated) : null;
  const sp = resource ? searchValuesOf(resource) : {};
  return {
    _id: versionKey(req.id, versionId),
    type: req.type,
    id: req.id,
    versionId,
    lastUpdated,
    deleted: resource === null,
    resource,
    sp,
    // A deletion is found by no search, only by its time (history, _since).
    keys: keysOf(resource ? sp : {}, lastUpdated),
    ...(txn ? { txn, open: true } : {}),
    ...(req.author ? { author: req.author } : {}),
    ...(req.writtenBy ? { writtenBy: req.writtenBy } : {}),
    ...syncMark(req),
    // Every change of a watched type, local or from sync, is judged by the Subscriptions once.
    ...(NOTIFIED_TYPES.has(req.type) ? { notify: true } : {}),
  };
}

/** The outbox mark (models.ts SyncMark): every local change of a synced type is pending until pushed. */
function syncMark(req: WriteRequest): Pick<VersionDoc, 'sync' | 'pending'> {
  if (req.remote) return { sync: { remote: req.remote } };
  if (req.rebasedOn) return { pending: true, sync: { rebasedOn: req.rebasedOn } };
  return SYNCED_TYPES.has(req.type) ? { pending: true } : {};
}

export class VersionedStore {
  private readonly listeners: CommitListener[] = [];

  constructor(
    readonly models: Models,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  now(): Date {
    return this.clock();
  }

  /** Days this process knows are in the catalog, so each day is recorded once, not on every write. */
  private readonly knownDays = new Set<string>();

  /** Records that a version of `type` was written on the day of `at` (models.ts DayDoc). */
  async noteDay(type: string, at: Date): Promise<void> {
    const day = at.toISOString().slice(0, 10);
    const key = `${type}|${day}`;
    if (this.knownDays.has(key)) return;
    try {
      await this.models.days.collection.insertOne({ _id: key, type, day } as never);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    this.knownDays.add(key);
  }

  /** The days on which versions of `type` were written ("YYYY-MM-DD"): one probe, a few thousand at most. */
  async days(type: string): Promise<string[]> {
    return (await this.models.days.find({ type }, { day: 1 }).lean<{ day: string }[]>()).map((d) => d.day);
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.push(listener);
    return () => void this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  /** Tells the listeners; a listener's failure is its own and never fails the write. */
  committedNow(docs: readonly VersionDoc[]): void {
    for (const l of this.listeners) {
      try {
        l(docs);
      } catch {
        // listeners only schedule work
      }
    }
  }

  /** Is this version part of the history? Versions of undecided or aborted transactions are not. */
  async committed(v: VersionDoc): Promise<boolean> {
    if (!v.txn) return true;
    return (await decide(this, v.txn, v.lastUpdated)) === 'committed';
  }

  /**
   * The newest committed version of a resource (a tombstone if it was deleted
   * last), or null. Only `_id` lookups: the projection says which version it
   * shows, then the versions above it are probed until one is missing.
   */
  async current(type: string, id: string): Promise<VersionDoc | null> {
    const shown = await this.models.resources(type).findById(id).lean<ResourceDoc>();
    let best: VersionDoc | null = shown ? { ...toStored(shown), _id: versionKey(id, shown.versionId) } : null;
    const versions = this.models.versions(type);
    for (let n = (shown?.versionId ?? 0) + 1; ; n++) {
      const next = await versions.findById(versionKey(id, n)).lean<VersionDoc>();
      // An undecided version can only sit on top: nobody can write above a version they cannot see.
      if (!next || !(await this.committed(next))) return best;
      best = next;
    }
  }

  async version(type: string, id: string, versionId: number): Promise<VersionDoc | null> {
    const v = await this.models.versions(type).findById(versionKey(id, versionId)).lean<VersionDoc>();
    return v && (await this.committed(v)) ? v : null;
  }

  /**
   * Refuses a base version that is not there (a caller's mistake that would
   * otherwise leave a gap in the version numbers). The insert of expect+1 is
   * still what guards against racing writers.
   */
  async assertBase(req: WriteRequest): Promise<void> {
    if (req.expect > 0 && !(await this.version(req.type, req.id, req.expect))) await this.explainConflict(req.type, req.id, req.expect);
  }

  /** Writes one new version; throws 412 (or 409 while a transaction holds it) if the resource is no longer at `expect`. */
  async write(req: WriteRequest): Promise<VersionDoc> {
    if (req.fresh && req.expect !== 0) throw new Error('a fresh id has no earlier version');
    if (!req.fresh) await this.assertBase(req);
    const doc = newVersion(req, this.now());
    await this.noteDay(req.type, doc.lastUpdated);
    try {
      await this.models.versions(req.type).collection.insertOne(doc as never);
    } catch (err) {
      if (isDuplicateKey(err)) await this.explainConflict(req.type, req.id, req.expect);
      throw err;
    }
    if (req.fresh) await this.models.resources(req.type).collection.insertOne({ ...toStored(doc), _id: req.id } as never);
    else await this.project(req.type, req.id, doc);
    this.committedNow([doc]);
    return doc;
  }

  /**
   * Several new resources under fresh ids (see WriteRequest.fresh) in two
   * round trips, whatever their number: the versions in one insert, then
   * their projections in another. For records nobody else can know yet and
   * that are written once, such as the AuditEvents of one access.
   */
  async insertFresh(reqs: WriteRequest[]): Promise<VersionDoc[]> {
    if (reqs.some((r) => !r.fresh || r.expect !== 0)) throw new Error('insertFresh takes only fresh ids');
    if (reqs.length === 0) return [];
    const at = this.now();
    const docs = reqs.map((r) => newVersion(r, at));
    for (const type of new Set(docs.map((d) => d.type))) {
      const mine = docs.filter((d) => d.type === type);
      await this.noteDay(type, at);
      await this.models.versions(type).collection.insertMany(mine as never[]);
      await this.models.resources(type).collection.insertMany(mine.map((d) => ({ ...toStored(d), _id: d.id })) as never[]);
    }
    this.committedNow(docs);
    return docs;
  }

  /**
   * Brings the search projection of one resource up to its newest committed
   * version. FerretDB's replace is not conditional, so a slow writer could put
   * an older version over a newer one; every writer therefore looks again after
   * its own write and repairs, and the last one to look leaves it right.
   *
   * `written`: the version this writer just committed, which saves reading it:
   *   - a new resource's projection is inserted, which fails if any exists;
   *   - a projection already at or past `written` is left to whoever put it there;
   *   - after replacing, one probe for version n+1 tells whether a newer writer
   *     may have been overtaken; only then the full loop below runs.
   */
  async project(type: string, id: string, written?: VersionDoc): Promise<void> {
    const resources = this.models.resources(type);
    if (written) {
      const shown = await resources.findById(id, { versionId: 1 }).lean<{ versionId: number }>();
      if (shown && shown.versionId >= written.versionId) return;
      try {
        // $set of every field, not replaceOne: FerretDB v1's replace reads the whole collection.
        if (shown) await resources.updateOne({ _id: id }, { $set: toStored(written) });
        else await resources.collection.insertOne({ ...toStored(written), _id: id } as never);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const newer = await this.models.versions(type).findById(versionKey(id, written.versionId + 1), { _id: 1 }).lean();
      if (!newer) return;
    }
    for (let round = 0; round < 10; round++) {
      const truth = await this.current(type, id);
      const shown = await resources.findById(id, { versionId: 1 }).lean<{ versionId: number }>();
      if ((truth?.versionId ?? 0) === (shown?.versionId ?? 0)) return;
      if (!truth) {
        await resources.deleteOne({ _id: id });
        continue;
      }
      try {
        await resources.updateOne({ _id: id }, { $set: toStored(truth) }, { upsert: true });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err; // two first projections raced: look again
      }
    }
  }

  /** Throws the error for an insert of `expected + 1` that found the version taken. */
  async explainConflict(type: string, id: string, expected: number): Promise<never> {
    const versions = this.models.versions(type);
    const taken = await versions.findById(versionKey(id, expected + 1)).lean<VersionDoc>();
    if (taken?.txn && !(await this.committed(taken)) && this.now().getTime() - taken.lastUpdated.getTime() <= TXN_TIMEOUT_MS) {
      const still = await versions.findById(taken._id, { _id: 1 }).lean();
      if (still) fail('conflict', `${type}/${id} is being changed by a transaction in progress; try again`, { code: 'lock-error' });
    }
    const now = await this.current(type, id);
    const what = !now ? `${type}/${id} does not exist` : expected === 0 ? `${type}/${id} already exists` : `${type}/${id} is at version ${now.versionId}, not ${expected}`;
    throw new FhirError('precondition-failed', { code: 'conflict', diagnostics: `Version conflict: ${what}` });
  }
}

export function toStored(v: StoredVersion): StoredVersion {
  return { type: v.type, id: v.id, versionId: v.versionId, lastUpdated: v.lastUpdated, deleted: v.deleted, resource: v.resource, sp: v.sp, keys: v.keys ?? [], ...(v.writtenBy ? { writtenBy: v.writtenBy } : {}) };
}
