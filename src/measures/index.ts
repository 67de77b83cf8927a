/**
 * The health communities' indicators (issue 13): the Measures in
 * profiles/Measure-*.json, evaluated over a period into a summary
 * MeasureReport from the stored plan versions, in one pass (walk.ts) that
 * concurrent requests for the same period and filter share, with small cells
 * suppressed (suppress.ts).
 *
 *   const report = await evaluateMeasure(versions, 'agreement-current', { first: '2026-01-01', last: '2026-12-31' });
 *
 * Access and audit are the store's (Store.aggregate); this module computes.
 */
import type { VersionedStore } from '../store/index.ts';
import { conformanceResources } from '../validation/index.ts';
import { measureDefinition, MEASURES } from './definitions.ts';
import type { Names } from './facts.ts';
import { localDate, monthEnds } from './local-time.ts';
import { measureReport } from './report.ts';
import { Tally, type Filter } from './tally.ts';
import { walkPlans, type Period, type Sink, type WalkFigures } from './walk.ts';

export { MEASURES, measureDefinition, type MeasureDefinition } from './definitions.ts';
export type { Period, WalkFigures } from './walk.ts';
export type { Filter } from './tally.ts';
export { SMALL } from './suppress.ts';
export { localDate, startOfLocalDay } from './local-time.ts';

/** The Measure resource of an indicator, as profiles/ defines it. */
export function measureResource(id: string): fhir4.Measure | undefined {
  return conformanceResources().find((r): r is fhir4.Measure => r.resourceType === 'Measure' && r.id === id);
}

/** Names of organisations the plans did not name (a reference without display): from the directory. */
async function nameTheRest(versions: VersionedStore, names: Names, refs: Iterable<string>): Promise<void> {
  const missing = [...new Set(refs)].filter((r) => !names.has(r));
  await Promise.all(
    missing.map(async (ref) => {
      const doc = await versions.current('Organization', ref.slice('Organization/'.length));
      const name = doc && !doc.deleted ? (doc.resource as fhir4.Organization).name : undefined;
      if (name) names.set(ref, name);
    }),
  );
}

export interface Evaluation {
  report: fhir4.MeasureReport;
  figures: WalkFigures;
}

/** One pass's tallies, one per indicator: the walk reads the same versions whatever is counted. */
interface Pass {
  tallies: Map<string, Tally>;
  names: Names;
  figures: WalkFigures;
}

/** Fans the walk's events out to every indicator's tally. */
function fanOut(tallies: Tally[]): Sink {
  return {
    state: (...a) => tallies.forEach((t) => t.state(...a)),
    followUp: (...a) => tallies.forEach((t) => t.followUp(...a)),
    agreement: (...a) => tallies.forEach((t) => t.agreement(...a)),
    now: (...a) => tallies.forEach((t) => t.now(...a)),
  };
}

/**
 * Passes under way, by store and by what they count. A committee's page asks
 * for every indicator of the same period at once; they join the pass already
 * reading, so the page costs one pass, not one per indicator. Only passes in
 * flight are shared, never kept: a request that comes after a pass finished
 * starts a new one, so no report is older than its request.
 */
const inFlight = new WeakMap<VersionedStore, Map<string, Promise<Pass>>>();

function pass(versions: VersionedStore, period: Period, filter: Filter): Promise<Pass> {
  const now = versions.now();
  const key = JSON.stringify([period.first, period.last, filter.reporter ?? '', filter.kind ?? '', localDate(now)]);
  const running = inFlight.get(versions) ?? new Map<string, Promise<Pass>>();
  inFlight.set(versions, running);
  const joined = running.get(key);
  if (joined) return joined;
  const months = monthEnds(period.first, period.last, now).map((m) => m.month);
  const tallies = new Map(MEASURES.map((def) => [def.id, new Tally(def, filter, localDate(now), months)]));
  const names: Names = new Map();
  const started = walkPlans(versions, period, fanOut([...tallies.values()]), names)
    .then((figures) => ({ tallies, names, figures }))
    .finally(() => running.delete(key));
  running.set(key, started);
  return started;
}

export async function evaluateMeasure(versions: VersionedStore, id: string, period: Period, filter: Filter = {}): Promise<Evaluation> {
  const measure = measureResource(id);
  if (!measure || !measureDefinition(id)) throw new RangeError(`no indicator ${id}`);
  const { tallies, names, figures } = await pass(versions, period, filter);
  const tally = tallies.get(id)!;
  const orgs = tally.groups.flatMap((g) => [...(g.strata.get('organization')?.keys() ?? []), ...(g.strata.get('municipality')?.keys() ?? [])]);
  await nameTheRest(versions, names, orgs);
  return { report: measureReport({ measure, tally, period, ...(filter.reporter ? { reporter: filter.reporter } : {}), names, now: versions.now() }), figures };
}

/** Every indicator has its Measure and every Measure its computation (checked by a test). */
export const measureIds = (): string[] => MEASURES.map((m) => m.id);
