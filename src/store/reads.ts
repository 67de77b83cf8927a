/** Search and history reads over the versioned collections. */
import type { HistoryDoc, ResourceDoc } from './models.ts';
import type { Filter, ParsedSearch } from './search/query.ts';
import type { VersionedStore } from './versioned.ts';

/** Only current, existing versions are searched: https://hl7.org/fhir/R4/search.html */
function liveFilter(type: string, ...more: Filter[]): Filter {
  const parts = [{ type, deleted: false, versionId: { $gt: 0 } }, ...more.filter((f) => Object.keys(f).length > 0)];
  return parts.length === 1 ? (parts[0] as Filter) : { $and: parts };
}

export interface SearchResult {
  docs: ResourceDoc[];
  total: number | undefined;
}

export async function search(store: VersionedStore, type: string, q: ParsedSearch, narrowing: Filter): Promise<SearchResult> {
  const filter = liveFilter(type, q.filter, narrowing);
  const { resources } = store.models;
  const total = q.totalMode === 'none' ? undefined : await resources.countDocuments(filter);
  if (q.summaryCount) return { docs: [], total };
  const docs = await resources.find(filter).sort(q.sort).skip(q.offset).limit(q.count).lean<ResourceDoc[]>();
  return { docs, total };
}

/** Current documents by key (for _include), narrowed like a search. */
export async function byKeys(store: VersionedStore, type: string, ids: string[], narrowing: Filter): Promise<ResourceDoc[]> {
  if (ids.length === 0) return [];
  return store.models.resources.find(liveFilter(type, { id: { $in: ids } }, narrowing)).lean<ResourceDoc[]>();
}

export interface HistoryQuery {
  since?: Date;
  count: number;
  offset: number;
}

export interface HistoryResult {
  versions: (ResourceDoc | HistoryDoc)[];
  total: number;
}

/**
 * History of one resource or of a whole type, newest first
 * (https://hl7.org/fhir/R4/http.html#history). Superseded versions live in
 * `history`, the newest in `resources`; both are read and merged.
 */
export async function history(store: VersionedStore, type: string, id: string | undefined, q: HistoryQuery, narrowing: Filter): Promise<HistoryResult> {
  const base: Filter[] = [{ type }, { versionId: { $gt: 0 } }];
  if (id !== undefined) base.push({ id });
  if (q.since) base.push({ lastUpdated: { $gte: q.since } });
  if (Object.keys(narrowing).length > 0) base.push(narrowing);
  const filter = { $and: base };
  const window = q.offset + q.count;
  const sort: [string, 1 | -1][] = [['lastUpdated', -1], ['versionId', -1], ['_id', 1]];
  const { resources, history: past } = store.models;
  const [cur, old, nCur, nOld] = await Promise.all([
    resources.find(filter).sort(sort).limit(window).lean<ResourceDoc[]>(),
    past.find(filter).sort(sort).limit(window).lean<HistoryDoc[]>(),
    resources.countDocuments(filter),
    past.countDocuments(filter),
  ]);
  // A version can be in both places for a moment (copied to history, its successor not yet written).
  const seen = new Set<string>();
  const merged = [...cur, ...old]
    .filter((d) => {
      const k = `${d.type}/${d.id}/${d.versionId}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => b.lastUpdated.getTime() - a.lastUpdated.getTime() || b.versionId - a.versionId || a._id.localeCompare(b._id));
  return { versions: merged.slice(q.offset, window), total: nCur + nOld - (cur.length + old.length - merged.length) };
}
