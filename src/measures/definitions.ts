/**
 * How each indicator in profiles/Measure-*.json is computed: for each of its
 * groups, which events of the walk (walk.ts) it counts and what makes a case
 * a numerator. The Measure resources say the same in words and FHIRPath; a
 * test holds the two together (same ids, groups and stratifiers).
 */
import type { PlanFact } from './facts.ts';

export type Scoring = 'cohort' | 'proportion' | 'continuous-variable';
export type Source = 'state' | 'followUp' | 'agreement' | 'now';
export type Stratifier = 'kind' | 'organization' | 'municipality' | 'month';

export interface Case {
  fact: PlanFact;
  /** followUp: the date was met. */
  met?: boolean;
  /** agreement: the days it took. */
  days?: number;
}

export interface GroupDefinition {
  code: string;
  source: Source;
  /** Counted at all (the denominator); default every case. */
  counts?(c: Case, today: string): boolean;
  /** proportion: the numerator. */
  numerator?(c: Case): boolean;
  /** continuous-variable: the statistic of the observations. */
  statistic?: 'median' | 'p90';
  stratifiers: Stratifier[];
}

export interface MeasureDefinition {
  id: string;
  scoring: Scoring;
  groups: GroupDefinition[];
}

const ALL: Stratifier[] = ['kind', 'organization', 'municipality', 'month'];

export const MEASURES: readonly MeasureDefinition[] = [
  { id: 'active-plans', scoring: 'cohort', groups: [{ code: 'active-plans', source: 'state', stratifiers: ALL }] },
  {
    id: 'contact-person',
    scoring: 'proportion',
    groups: [
      { code: 'contact-and-coordinator', source: 'state', numerator: (c) => c.fact.reachableContact && c.fact.coordinator, stratifiers: ALL },
      { code: 'contact-person', source: 'state', numerator: (c) => c.fact.reachableContact, stratifiers: ALL },
    ],
  },
  { id: 'agreement-current', scoring: 'proportion', groups: [{ code: 'agreement-current', source: 'state', numerator: (c) => c.fact.agreement === 'current', stratifiers: ALL }] },
  {
    id: 'follow-up-on-time',
    scoring: 'proportion',
    groups: [
      { code: 'on-time', source: 'followUp', numerator: (c) => c.met === true, stratifiers: ALL },
      // A cohort inside a proportion Measure: the count is the figure (R4 lets a group carry its own populations).
      { code: 'overdue-now', source: 'now', counts: (c, today) => c.fact.reviewBy !== undefined && c.fact.reviewBy < today, stratifiers: ['kind', 'organization', 'municipality'] },
    ],
  },
  {
    id: 'days-to-agreement',
    scoring: 'continuous-variable',
    groups: [
      { code: 'median', source: 'agreement', statistic: 'median', stratifiers: ALL },
      { code: 'p90', source: 'agreement', statistic: 'p90', stratifiers: ALL },
    ],
  },
  { id: 'patient-own-measure', scoring: 'proportion', groups: [{ code: 'own-measure', source: 'state', numerator: (c) => c.fact.ownMeasure, stratifiers: ALL }] },
];

export function measureDefinition(id: string): MeasureDefinition | undefined {
  return MEASURES.find((m) => m.id === id);
}
