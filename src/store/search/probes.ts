/**
 * How a query is answered without reading a whole collection (DESIGN.md
 * "Data sizes"; issue 10). FerretDB v1 on PostgreSQL hands only a top-level
 * field equal to a scalar to PostgreSQL, where a GIN index answers it; so
 * every query samplan runs against a large collection is a *probe* of that
 * shape, and the full query (any shape search/query.ts builds, narrowing
 * included) is judged in samplan on what the probes return (matches.ts).
 *
 * A plan picks, among the conjuncts of the query, the one that needs the
 * fewest probes: the values of a search parameter (`keys` holds
 * `patient=Patient/p1`), ids, or a `lastUpdated` range as minute, hour or
 * day buckets. A query with none of those is answered by walking the days on
 * which the type was written (newest first), which is what a plain listing
 * or `_since` poll of everything is.
 */
import { dayKey, hourKey, minuteKey, termKey } from './keys.ts';
import type { Filter } from './query.ts';

/** A query FerretDB pushes down whole: one top-level field, one scalar. */
export type Probe = Record<string, string | boolean>;

export interface TimeRange {
  from?: Date;
  to?: Date;
}

export type Plan = { probes: Probe[] } | { time: TimeRange };

export type Collection = 'resources' | 'versions';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Up to this span a time range is probed by the minute, up to HOURS_LIMIT by the hour; beyond, by the days that have data. */
const MINUTES_LIMIT = 30;
const HOURS_LIMIT = 48;

function values(cond: unknown): string[] | undefined {
  if (typeof cond === 'string') return [cond];
  if (cond && typeof cond === 'object' && !Array.isArray(cond) && !(cond instanceof Date)) {
    const o = cond as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === '$in' && Array.isArray(o.$in) && o.$in.every((v) => typeof v === 'string')) return o.$in as string[];
    if (keys.length === 1 && keys[0] === '$eq' && typeof o.$eq === 'string') return [o.$eq];
  }
  return undefined;
}

function timeRange(cond: unknown): TimeRange | undefined {
  if (!cond || typeof cond !== 'object' || cond instanceof Date) return cond instanceof Date ? { from: cond, to: cond } : undefined;
  const r: TimeRange = {};
  for (const [op, v] of Object.entries(cond as Record<string, unknown>)) {
    if (!(v instanceof Date)) return undefined;
    if (op === '$gte' || op === '$gt') r.from = v;
    else if (op === '$lte' || op === '$lt') r.to = v;
    else return undefined;
  }
  return r;
}

/** The plan for one `field: condition` pair, if it narrows by itself. */
function planField(field: string, cond: unknown, on: Collection): Plan | undefined {
  if (field === 'lastUpdated') {
    const time = timeRange(cond);
    return time ? { time } : undefined;
  }
  const vs = values(cond);
  if (!vs) return undefined;
  if (field === '_id') return { probes: vs.map((v) => ({ _id: v })) };
  // A projection's `_id` is the resource id; a version's is "id/_history/n", with the id in `id`.
  if (field === 'id') return { probes: vs.map((v): Probe => (on === 'resources' ? { _id: v } : { id: v })) };
  if (field.startsWith('sp.')) return { probes: vs.map((v) => ({ keys: termKey(field.slice(3), v) })) };
  return undefined;
}

/** How many probes a plan costs; a time range by the minutes or hours it spans (days weigh a day's hours). */
function cost(p: Plan, now: Date): number {
  if ('probes' in p) return p.probes.length;
  const from = p.time.from?.getTime() ?? 0;
  const to = (p.time.to ?? now).getTime();
  if (to - from <= MINUTES_LIMIT * MINUTE) return Math.max(1, Math.ceil((to - from) / MINUTE));
  const hours = Math.ceil((to - from) / HOUR);
  return hours <= HOURS_LIMIT ? hours : hours + 1000;
}

function cheapest(plans: (Plan | undefined)[], now: Date): Plan | undefined {
  let best: Plan | undefined;
  for (const p of plans) if (p && (!best || cost(p, now) < cost(best, now))) best = p;
  return best;
}

/** The cheapest plan for a filter, or undefined when no part of it narrows (walk everything). */
export function planFor(filter: Filter, on: Collection, now: Date): Plan | undefined {
  const candidates: (Plan | undefined)[] = [];
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and') for (const f of cond as Filter[]) candidates.push(planFor(f, on, now));
    else if (key === '$or') {
      // Every branch must narrow, and their probes are taken together.
      const branches = (cond as Filter[]).map((f) => planFor(f, on, now));
      if (branches.every((b): b is { probes: Probe[] } => b !== undefined && 'probes' in b)) candidates.push({ probes: branches.flatMap((b) => b.probes) });
    } else candidates.push(planField(key, cond, on));
  }
  return cheapest(candidates, now);
}

/**
 * The minute or hour keys of a range, newest first, for a range up to
 * HOURS_LIMIT long (a range up to MINUTES_LIMIT by the minute, so an EHR's
 * `_since` poll of the last minute reads one or two minutes of writes).
 */
export function timeProbes(range: TimeRange, now: Date): Probe[] | undefined {
  const to = (range.to ?? now).getTime();
  const from = range.from?.getTime();
  if (from === undefined || to - from > HOURS_LIMIT * HOUR) return undefined;
  const [step, key] = to - from <= MINUTES_LIMIT * MINUTE ? [MINUTE, minuteKey] : [HOUR, hourKey];
  const out: Probe[] = [];
  for (let t = Math.floor(to / step) * step; t >= Math.floor(from / step) * step; t -= step) out.push({ keys: key(new Date(t)) });
  return out;
}

/** The day keys of a range among the days that have data (`days`, "YYYY-MM-DD"), newest first. */
export function dayProbes(range: TimeRange, days: readonly string[]): Probe[] {
  const lo = range.from?.toISOString().slice(0, 10);
  const hi = range.to?.toISOString().slice(0, 10);
  return [...days]
    .filter((d) => (!lo || d >= lo) && (!hi || d <= hi))
    .sort()
    .reverse()
    .map((d) => ({ keys: dayKey(new Date(`${d}T00:00:00Z`)) }));
}
