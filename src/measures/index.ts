/**
 * The health communities' indicators (issue 13): the Measures in
 * profiles/Measure-*.json, evaluated over a period into a summary
 * MeasureReport from the stored plan versions, in one pass (walk.ts), with
 * small cells suppressed (suppress.ts).
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
import { walkPlans, type Period, type WalkFigures } from './walk.ts';

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

export async function evaluateMeasure(versions: VersionedStore, id: string, period: Period, filter: Filter = {}): Promise<Evaluation> {
  const measure = measureResource(id);
  const definition = measureDefinition(id);
  if (!measure || !definition) throw new RangeError(`no indicator ${id}`);
  const now = versions.now();
  const tally = new Tally(definition, filter, localDate(now), monthEnds(period.first, period.last, now).map((m) => m.month));
  const names: Names = new Map();
  const figures = await walkPlans(versions, period, tally, names);
  const orgs = tally.groups.flatMap((g) => [...(g.strata.get('organization')?.keys() ?? []), ...(g.strata.get('municipality')?.keys() ?? [])]);
  await nameTheRest(versions, names, orgs);
  return { report: measureReport({ measure, tally, period, ...(filter.reporter ? { reporter: filter.reporter } : {}), names, now }), figures };
}

/** Every indicator has its Measure and every Measure its computation (checked by a test). */
export const measureIds = (): string[] => MEASURES.map((m) => m.id);
