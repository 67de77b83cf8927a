/**
 * The MeasureReport (https://hl7.org/fhir/R4/measurereport.html), type
 * summary: per group its populations, its score and its strata, with the
 * cells suppress.ts hides given as data-absent-reason `masked`
 * (https://hl7.org/fhir/R4/extension-data-absent-reason.html) instead of a
 * number. It names no patient: it holds counts and scores only.
 */
import { CODE_SYSTEM } from '../validation/index.ts';
import type { Cell, GroupTally, Tally } from './tally.ts';
import type { MeasureDefinition, Stratifier } from './definitions.ts';
import { suppressed } from './suppress.ts';

const POPULATION = 'http://terminology.hl7.org/CodeSystem/measure-population';
const MASKED: fhir4.Extension = { url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'masked' };

export interface ReportInput {
  measure: fhir4.Measure;
  tally: Tally;
  period: { first: string; last: string };
  reporter?: string;
  /** Organisation names for the strata (Organization/… → name). */
  names: ReadonlyMap<string, string>;
  now: Date;
}

const code = (c: string): fhir4.CodeableConcept => ({ coding: [{ system: POPULATION, code: c }] });
const indicator = (c: string): fhir4.CodeableConcept => ({ coding: [{ system: CODE_SYSTEM.indicator, code: c }], text: c });

function population(c: string, n: number, hidden: boolean): fhir4.MeasureReportGroupPopulation {
  return hidden ? { code: code(c), _count: { extension: [MASKED] } } as fhir4.MeasureReportGroupPopulation : { code: code(c), count: n };
}

/** Nearest-rank percentile of the observations (q in 0..1). */
export function percentile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

/** The median: the middle value, or the mean of the two middle ones. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1]! + s[mid]!) / 2;
}

function score(def: MeasureDefinition, g: GroupTally, cell: Cell, hidden: boolean): fhir4.Quantity | undefined {
  if (hidden) return { extension: [MASKED] };
  if (g.definition.statistic) {
    const v = g.definition.statistic === 'median' ? median(cell.observations) : percentile(cell.observations, 0.9);
    return v === undefined ? undefined : { value: v, unit: 'days', system: 'http://unitsofmeasure.org', code: 'd' };
  }
  if (def.scoring === 'proportion' && g.definition.numerator) return cell.count > 0 ? { value: Math.round((cell.numerator / cell.count) * 10_000) / 10_000 } : undefined;
  return { value: cell.count };
}

function populations(def: MeasureDefinition, g: GroupTally, cell: Cell, hidden: boolean): fhir4.MeasureReportGroupPopulation[] {
  const out = [population('initial-population', cell.count, hidden)];
  if (def.scoring === 'continuous-variable') out.push(population('measure-population', cell.count, hidden));
  else if (g.definition.numerator) out.push(population('denominator', cell.count, hidden), population('numerator', cell.numerator, hidden));
  return out;
}

function stratumValue(s: Stratifier, v: string, names: ReadonlyMap<string, string>): fhir4.CodeableConcept {
  if (s === 'kind') return v === 'unknown' ? { text: 'unknown' } : { coding: [{ system: CODE_SYSTEM.planKind, code: v }], text: v };
  if (s === 'organization' || s === 'municipality') {
    const name = names.get(v);
    return { coding: [{ code: v, ...(name ? { display: name } : {}) }], text: name ?? v };
  }
  return { text: v };
}

export function measureReport(input: ReportInput): fhir4.MeasureReport {
  const { measure, tally } = input;
  const def = tally.measure;
  const group = tally.groups.map((g): fhir4.MeasureReportGroup => {
    const hide = suppressed(g);
    const measureScore = score(def, g, g.total, hide.has(''));
    return {
      id: g.definition.code,
      code: indicator(g.definition.code),
      population: populations(def, g, g.total, hide.has('')),
      ...(measureScore ? { measureScore } : {}),
      stratifier: [...g.strata].map(([s, cells]) => ({
        code: [indicator(s)],
        stratum: [...cells.entries()]
          .sort((a, b) => a[0].localeCompare(b[0]))
          .map(([v, cell]) => {
            const hidden = hide.has(`${s}|${v}`);
            const stratumScore = score(def, g, cell, hidden);
            return { value: stratumValue(s, v, input.names), population: populations(def, g, cell, hidden), ...(stratumScore ? { measureScore: stratumScore } : {}) };
          }),
      })),
    };
  });
  return {
    resourceType: 'MeasureReport',
    status: 'complete',
    type: 'summary',
    measure: `${measure.url ?? ''}|${measure.version ?? ''}`,
    date: input.now.toISOString(),
    period: { start: input.period.first, end: input.period.last },
    ...(input.reporter ? { reporter: { reference: input.reporter, type: 'Organization' } } : {}),
    ...(measure.improvementNotation ? { improvementNotation: measure.improvementNotation } : {}),
    group,
  };
}
