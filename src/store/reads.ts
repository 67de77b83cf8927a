/** Search (on the projection) and history (on the versions) reads. */
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
  const resources = store.models.resources(type);
  const total = q.totalMode === 'none' ? undefined : await resources.countDocuments(filter);
  if (q.summaryCount) return { docs: [], total };
  const docs = await resources.find(filter).sort(q.sort).skip(q.offset).limit(q.count).lean<ResourceDoc[]>();
  return { docs, total };
}

/** Current documents by id (for _include), narrowed like a search. */
export async function byIds(store: VersionedStore, type: string, ids: string[], narrowing: Filter): Promise<ResourceDoc[]> {
  if (ids.length === 0) return [];
  return store.models.resources(type).find(liveFilter({ _id: { $in: ids } }, narrowing)).lean<ResourceDoc[]>();
}

export interface HistoryQuery {
  since?: Date;
  count: number;
  offset: number;
}

export interface HistoryResult {
  versions: VersionDoc[];
  total: number;
}

/**
 * History of one resource or of a whole type, newest first
 * (https://hl7.org/fhir/R4/http.html#history). Versions still marked by a
 * transaction are left out until it is finished.
 */
export async function history(store: VersionedStore, type: string, id: string | undefined, q: HistoryQuery, narrowing: Filter): Promise<HistoryResult> {
  const versions = store.models.versions(type);
  if (id !== undefined && !q.since) {
    // One resource: versions n, n-1, … are fetched by key; n is also the total.
    const current = await store.current(type, id);
    const n = current?.versionId ?? 0;
    const wanted = Array.from({ length: Math.max(0, Math.min(q.count, n - q.offset)) }, (_, i) => n - q.offset - i);
    const docs = await Promise.all(wanted.map((v) => (v === n ? current : store.version(type, id, v))));
    return { versions: docs.filter((d): d is VersionDoc => d !== null), total: n };
  }
  const parts: Filter[] = [{ txn: null }];
  if (id !== undefined) parts.push({ id });
  if (q.since) parts.push({ lastUpdated: { $gte: q.since } });
  if (Object.keys(narrowing).length > 0) parts.push(onVersions(narrowing));
  const filter = { $and: parts };
  const sort: [string, 1 | -1][] = [['lastUpdated', -1], ['versionId', -1], ['_id', 1]];
  const [docs, total] = await Promise.all([versions.find(filter).sort(sort).skip(q.offset).limit(q.count).lean<VersionDoc[]>(), versions.countDocuments(filter)]);
  return { versions: docs, total };
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
