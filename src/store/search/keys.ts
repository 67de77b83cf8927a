/**
 * The one indexed field of every stored document: `keys`, a flat list of
 * strings, one per search value (`patient=Patient/p1`, `status=active`), plus
 * time buckets of `lastUpdated` (`lu-d=2026-12-03`, `lu-h=2026-12-03T14`,
 * `lu-m=2026-12-03T14:05`).
 *
 * Why one list of strings: the embedded database (FerretDB v1 on PostgreSQL)
 * hands exactly one kind of filter to PostgreSQL — a top-level field equal to
 * a scalar, as `_jsonb->'field' @> '"value"'` — and for a JSON array that is
 * "the array holds the value". One GIN index on `keys` therefore serves every
 * equality search on every parameter; on MongoDB it is one multikey index.
 * Everything else a search asks (ranges, :not, :missing) is judged in samplan
 * on the few documents those probes return (search/probes.ts).
 */
import type { SearchValues } from '../models.ts';

/** The key of one search value. */
export const termKey = (param: string, value: string): string => `${param}=${value}`;

const iso = (d: Date): string => d.toISOString();
/** The day (UTC) of an instant, as a key. */
export const dayKey = (d: Date): string => `lu-d=${iso(d).slice(0, 10)}`;
/** The hour (UTC) of an instant, as a key. */
export const hourKey = (d: Date): string => `lu-h=${iso(d).slice(0, 13)}`;
/** The minute (UTC) of an instant, as a key: an EHR's poll of the last minute reads that minute's writes, not the hour's. */
export const minuteKey = (d: Date): string => `lu-m=${iso(d).slice(0, 16)}`;

/** Every key of a document with these search values, written at `lastUpdated`. */
export function keysOf(sp: SearchValues, lastUpdated: Date): string[] {
  const out: string[] = [dayKey(lastUpdated), hourKey(lastUpdated), minuteKey(lastUpdated)];
  for (const [name, values] of Object.entries(sp)) {
    if (Array.isArray(values)) for (const v of values) out.push(termKey(name, v));
  }
  return [...new Set(out)];
}
