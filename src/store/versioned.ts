/**
 * Versioned reads and writes of single resources.
 *
 * Every write is ONE atomic conditional write on the resource's document
 * (`findOneAndUpdate` filtered on the version the writer read), so of any
 * number of concurrent writers starting from version n exactly one makes
 * n+1. Before it supersedes version n the writer copies n into `history`
 * (idempotently, keyed "Type/id/_history/n"): a crash can never lose a
 * version, and a writer that loses the race has added nothing that was not
 * a real version. History reads are `history` ∪ the current document.
 */
import { FhirError, fail } from '../errors.ts';
import { isDuplicateKey, type FhirResource, type HistoryDoc, type Models, type ResourceDoc } from './models.ts';
import { searchValuesOf } from './search/index-values.ts';
import { settleMarker } from './transaction.ts';

export const key = (type: string, id: string): string => `${type}/${id}`;
export const historyKey = (type: string, id: string, v: number): string => `${type}/${id}/_history/${v}`;

/** Stamps id and meta on a resource body for a given version. */
export function stamp(resource: FhirResource, id: string, versionId: number, lastUpdated: Date): FhirResource {
  return { ...resource, id, meta: { ...resource.meta, versionId: String(versionId), lastUpdated: lastUpdated.toISOString() } };
}

export function toHistoryDoc(doc: ResourceDoc): HistoryDoc {
  return {
    _id: historyKey(doc.type, doc.id, doc.versionId),
    type: doc.type,
    id: doc.id,
    versionId: doc.versionId,
    lastUpdated: doc.lastUpdated,
    deleted: doc.deleted,
    resource: doc.resource,
    sp: doc.sp,
  };
}

/** Copies a version into history; a copy that is already there is the same version, so duplicates are fine. */
export async function preserve(models: Models, doc: ResourceDoc): Promise<void> {
  if (doc.versionId < 1) return;
  try {
    await models.history.collection.insertOne(toHistoryDoc(doc) as never);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

export interface WriteRequest {
  type: string;
  id: string;
  /** The new body, or null for a delete (a tombstone version). */
  resource: FhirResource | null;
  /** The version the writer based its change on: 0 when the resource must not exist yet. */
  expect: number;
  /** Extra fields set in the same atomic write (e.g. sync state). */
  extra?: Record<string, unknown>;
}

export class VersionedStore {
  constructor(
    readonly models: Models,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  now(): Date {
    return this.clock();
  }

  /**
   * The current document, with any transaction marker on it settled first
   * (rolled forward if its transaction committed, rolled back if it is stale).
   * A placeholder of an uncommitted transaction reads as absent.
   */
  async current(type: string, id: string): Promise<ResourceDoc | null> {
    let doc = await this.models.resources.findById(key(type, id)).lean<ResourceDoc>();
    if (doc?.txn) doc = await settleMarker(this, doc);
    return doc && doc.versionId > 0 ? doc : null;
  }

  async version(type: string, id: string, versionId: number): Promise<ResourceDoc | HistoryDoc | null> {
    const cur = await this.current(type, id);
    if (!cur || versionId > cur.versionId) return null;
    if (cur.versionId === versionId) return cur;
    return this.models.history.findById(historyKey(type, id, versionId)).lean<HistoryDoc>();
  }

  /** Writes one new version; throws 412 if the resource is no longer at `expect`. */
  async write(req: WriteRequest): Promise<ResourceDoc> {
    const { type, id, expect } = req;
    const lastUpdated = this.now();
    const versionId = expect + 1;
    const resource = req.resource ? stamp(req.resource, id, versionId, lastUpdated) : null;
    const fields = {
      versionId,
      lastUpdated,
      deleted: resource === null,
      resource,
      sp: resource ? searchValuesOf(resource) : {},
      ...req.extra,
    };

    if (expect === 0) {
      const doc: ResourceDoc = { _id: key(type, id), type, id, ...fields };
      try {
        await this.models.resources.collection.insertOne(doc as never);
        return doc;
      } catch (err) {
        if (isDuplicateKey(err)) await explainConflict(this, type, id, expect);
        throw err;
      }
    }

    const before = await this.current(type, id);
    if (before?.versionId === expect) {
      await preserve(this.models, before);
      const after = await this.models.resources
        .findOneAndUpdate({ _id: key(type, id), versionId: expect, txn: null }, { $set: fields }, { new: true })
        .lean<ResourceDoc>();
      if (after) return after;
    }
    return explainConflict(this, type, id, expect);
  }
}

/**
 * Throws the error for a conditional write that did not match: 409 while a
 * transaction holds the document, otherwise 412 naming the version it is at.
 */
export async function explainConflict(store: VersionedStore, type: string, id: string, expected: number): Promise<never> {
  await store.current(type, id); // settles a marker left by a crashed transaction, so the next try can pass
  const now = await store.models.resources.findById(key(type, id)).lean<ResourceDoc>();
  if (now?.txn) fail('conflict', `${type}/${id} is being changed by a transaction in progress; try again`, { code: 'lock-error' });
  const actual = now && now.versionId > 0 ? now.versionId : undefined;
  const what = actual === undefined ? `${type}/${id} does not exist` : expected === 0 ? `${type}/${id} already exists` : `${type}/${id} is at version ${actual}, not ${expected}`;
  throw new FhirError('precondition-failed', { code: 'conflict', diagnostics: `Version conflict: ${what}` });
}
