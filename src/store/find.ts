/**
 * Runs a query as probes (search/probes.ts) and judges the full query in
 * samplan on what they return. Every read of a large collection goes through
 * here, so none scans: its cost is the number of documents the cheapest
 * conjunct names (a patient's plans, a team's plans, an hour of writes).
 */
import type { Model } from 'mongoose';
import type { Filter, Sort } from './search/query.ts';
import { matches } from './search/matches.ts';
import { dayProbes, planFor, timeProbes, type Collection, type Probe } from './search/probes.ts';
import type { VersionedStore } from './versioned.ts';

/**
 * Probes run this many at a time: enough to hide latency (a practitioner's
 * worklist is a probe per team), few enough not to swamp the database.
 */
const PARALLEL = 16;

export interface Found<T> {
  docs: T[];
  /** False when `enough` stopped the walk early: there may be more (and no total is known). */
  complete: boolean;
}

export interface FindOptions {
  /**
   * For a query answered by time buckets, newest first: stop once this many
   * matches are in hand (a page of a listing sorted by -_lastUpdated).
   */
  enough?: number;
}

async function probesOf(store: VersionedStore, type: string, on: Collection, filter: Filter): Promise<{ probes: Probe[]; byTime: boolean }> {
  const now = store.now();
  const plan = planFor(filter, on, now);
  if (plan && 'probes' in plan) return { probes: plan.probes, byTime: false };
  const range = plan?.time ?? {};
  return { probes: timeProbes(range, now) ?? dayProbes(range, await store.days(type)), byTime: true };
}

export async function findMatching<T extends { _id: string }>(store: VersionedStore, type: string, on: Collection, filter: Filter, opts: FindOptions = {}): Promise<Found<T>> {
  // Either collection answers the same find; the union of their model types is not callable as one.
  const model = (on === 'resources' ? store.models.resources(type) : store.models.versions(type)) as unknown as Model<T>;
  const planned = await probesOf(store, type, on, filter);
  const { byTime } = planned;
  // PostgreSQL's JSON holds no NUL character, so no stored value has one: a probe for one finds nothing.
  const probes = planned.probes.filter((p) => !Object.values(p).some((v) => typeof v === 'string' && v.includes('\u0000')));
  const found = new Map<string, T>();
  for (let i = 0; i < probes.length; i += PARALLEL) {
    const batch = await Promise.all(probes.slice(i, i + PARALLEL).map((p) => model.find(p).lean<T[]>()));
    for (const docs of batch) for (const d of docs) if (!found.has(d._id) && matches(d, filter)) found.set(d._id, d);
    // Buckets come newest first, and a document is in the bucket of its lastUpdated: once a batch
    // is done, no later bucket holds anything newer than what is in hand.
    if (byTime && opts.enough !== undefined && found.size >= opts.enough && i + PARALLEL < probes.length) return { docs: [...found.values()], complete: false };
  }
  return { docs: [...found.values()], complete: true };
}

/** The value a document sorts by: Mongo's rule, an array by its least (ascending) or greatest (descending) element. */
function sortValue(doc: unknown, path: string, dir: 1 | -1): unknown {
  let v: unknown = doc;
  for (const part of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  if (Array.isArray(v)) return [...v].sort((a, b) => compare(a, b) * dir)[0];
  return v;
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1; // missing sorts first ascending, as in MongoDB
  if (b === undefined || b === null) return 1;
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  return (x as number | string) < (y as number | string) ? -1 : (x as number | string) > (y as number | string) ? 1 : 0;
}

/** Sorts in place by a Mongo-style sort list. */
export function sortDocs<T>(docs: T[], sort: Sort): T[] {
  return docs.sort((a, b) => {
    for (const [path, dir] of sort) {
      const c = compare(sortValue(a, path, dir), sortValue(b, path, dir)) * dir;
      if (c !== 0) return c;
    }
    return 0;
  });
}

/** Is a query answered by walking time buckets (no criterion of it names documents by value)? */
export function isWalk(filter: Filter, on: Collection, now: Date): boolean {
  const plan = planFor(filter, on, now);
  return !plan || 'time' in plan;
}

/** Is this sort newest-first by lastUpdated (what a time walk can stop early for)? */
export const newestFirst = (sort: Sort): boolean => sort[0]?.[0] === 'lastUpdated' && sort[0][1] === -1;
