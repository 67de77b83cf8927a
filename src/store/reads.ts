/** Search (on the projection) and history (on the versions) reads. */
import { findMatching, isWalk, newestFirst, sortDocs } from './find.ts';
import type { ResourceDoc, VersionDoc } from './models.ts';
import type { Filter, ParsedSearch } from './search/query.ts';
import type { VersionedStore } from './versioned.ts';

/** Only current, existing versions are searched: https://hl7.org/fhir/R4/search.html */
function liveFilter(...more: Filter[]): Filter {
  const parts = [{ deleted: false }, ...more.filter((f) => Object.keys(f).length > 0)];
  return parts.length === 1 ? (parts[0] as Filter) : { $and: parts };
}

export interface SearchResult {
  docs: ResourceDoc[];
  total: number | undefined;
}

export async function search(store: VersionedStore, type: string, q: ParsedSearch, narrowing: Filter): Promise<SearchResult> {
  const filter = liveFilter(q.filter, narrowing);
  const counted = q.summaryCount || q.totalMode === 'accurate' || (q.totalMode === 'auto' && !isWalk(filter, 'resources', store.now()));
  // A page of a listing by -_lastUpdated with no total to count needs only the newest matches.
  const enough = !counted && newestFirst(q.sort) ? q.offset + q.count : undefined;
  const found = await findMatching<ResourceDoc>(store, type, 'resources', filter, enough === undefined ? {} : { enough });
  const total = !counted || !found.complete ? undefined : found.docs.length;
  if (q.summaryCount) return { docs: [], total: found.docs.length };
  return { docs: sortDocs(found.docs, q.sort).slice(q.offset, q.offset + q.count), total };
}

/** Current documents by id (for _include), narrowed like a search: one probe per id. */
export async function byIds(store: VersionedStore, type: string, ids: string[], narrowing: Filter): Promise<ResourceDoc[]> {
  if (ids.length === 0) return [];
  return (await findMatching<ResourceDoc>(store, type, 'resources', liveFilter({ _id: { $in: ids } }, narrowing))).docs;
}

export interface HistoryQuery {
  since?: Date;
  count: number;
  offset: number;
}

export interface HistoryResult {
  versions: VersionDoc[];
  /** Undefined when the history is too long to count on the way (a type's whole history, paged). */
  total: number | undefined;
}

/**
 * History of one resource or of a whole type, newest first
 * (https://hl7.org/fhir/R4/http.html#history). Versions still marked by a
 * transaction are left out until it is finished.
 */
export async function history(store: VersionedStore, type: string, id: string | undefined, q: HistoryQuery, narrowing: Filter): Promise<HistoryResult> {
  if (id !== undefined && !q.since) {
    // One resource: versions n, n-1, … are fetched by key; n is also the total. Each comes from
    // the versions collection, also n: only a version records who wrote it (VersionDoc.author).
    const n = (await store.current(type, id))?.versionId ?? 0;
    const wanted = Array.from({ length: Math.max(0, Math.min(q.count, n - q.offset)) }, (_, i) => n - q.offset - i);
    const docs = await Promise.all(wanted.map((v) => store.version(type, id, v)));
    return { versions: docs.filter((d): d is VersionDoc => d !== null), total: n };
  }
  const parts: Filter[] = [{ txn: null }];
  if (id !== undefined) parts.push({ id });
  if (q.since) parts.push({ lastUpdated: { $gte: q.since } });
  if (Object.keys(narrowing).length > 0) parts.push(onVersions(narrowing));
  const filter = { $and: parts };
  const sort: [string, 1 | -1][] = [['lastUpdated', -1], ['versionId', -1], ['_id', 1]];
  // Newest first: a walk over time buckets stops once the page is in hand (and then counts no total).
  const found = await findMatching<VersionDoc>(store, type, 'versions', filter, { enough: q.offset + q.count });
  return { versions: sortDocs(found.docs, sort).slice(q.offset, q.offset + q.count), total: found.complete ? found.docs.length : undefined };
}

/**
 * A narrowing written for the projection (where `_id` is the resource id),
 * restated for the versions collection (where it is `id`; `_id` there is
 * "id/_history/n").
 */
function onVersions(filter: Filter): Filter {
  const out: Filter = {};
  for (const [k, v] of Object.entries(filter)) {
    if (k === '_id') out.id = v;
    else if (k === '$and' || k === '$or') out[k] = (v as Filter[]).map(onVersions);
    else out[k] = v;
  }
  return out;
}
