/**
 * Counting the walk's events into cells: for each group of a Measure, the
 * whole period (as it stood at its end, for plan states) and one cell per
 * stratum. A cell holds counts and, for a continuous variable, the
 * observations — numbers of days, never who they are about.
 */
import type { PlanFact } from './facts.ts';
import type { Case, GroupDefinition, MeasureDefinition, Stratifier } from './definitions.ts';
import type { Sink } from './walk.ts';

export interface Cell {
  /** Cases counted (initial population = denominator = measure population). */
  count: number;
  numerator: number;
  observations: number[];
}

export interface GroupTally {
  definition: GroupDefinition;
  total: Cell;
  /** Stratifier → stratum value → cell. */
  strata: Map<Stratifier, Map<string, Cell>>;
}

export interface Filter {
  /** Organization/{id}: plans where it performs a measure or is principal for one. */
  reporter?: string;
  /** A plan-kind code. */
  kind?: string;
}

const emptyCell = (): Cell => ({ count: 0, numerator: 0, observations: [] });

function valuesOf(s: Stratifier, fact: PlanFact, month: string): string[] {
  switch (s) {
    case 'kind':
      return [fact.kind];
    case 'organization':
      return fact.organizations;
    case 'municipality':
      return fact.principals;
    case 'month':
      return [month];
  }
}

export class Tally implements Sink {
  readonly groups: GroupTally[];

  constructor(
    readonly measure: MeasureDefinition,
    private readonly filter: Filter,
    private readonly today: string,
    months: readonly string[],
  ) {
    this.groups = measure.groups.map((definition) => {
      const strata = new Map<Stratifier, Map<string, Cell>>(definition.stratifiers.map((s) => [s, new Map()]));
      // Every month of the period has its stratum, also an empty one: a chart needs the zeros.
      const byMonth = strata.get('month');
      if (byMonth) for (const m of months) byMonth.set(m, emptyCell());
      return { definition, total: emptyCell(), strata };
    });
  }

  private wanted(fact: PlanFact): boolean {
    const { reporter, kind } = this.filter;
    return (!reporter || fact.organizations.includes(reporter)) && (!kind || fact.kind === kind);
  }

  /** `whole`: the case also counts for the period as a whole (a state only at the period's end). */
  private add(source: GroupDefinition['source'], c: Case, month: string, whole: boolean): void {
    if (!this.wanted(c.fact)) return;
    for (const g of this.groups) {
      const d = g.definition;
      if (d.source !== source || (d.counts && !d.counts(c, this.today))) continue;
      const hit = d.numerator?.(c) ?? false;
      const put = (cell: Cell): void => {
        cell.count++;
        if (hit) cell.numerator++;
        if (c.days !== undefined) cell.observations.push(c.days);
      };
      if (whole) put(g.total);
      for (const [s, cells] of g.strata) {
        // Plan states: every month has its snapshot; the other strata describe the period's end.
        if (s !== 'month' && !whole) continue;
        for (const v of new Set(valuesOf(s, c.fact, month))) {
          let cell = cells.get(v);
          if (!cell) cells.set(v, (cell = emptyCell()));
          put(cell);
        }
      }
    }
  }

  state(fact: PlanFact, month: string, last: boolean): void {
    this.add('state', { fact }, month, last);
  }

  followUp(fact: PlanFact, date: string, met: boolean): void {
    this.add('followUp', { fact, met }, date.slice(0, 7), true);
  }

  agreement(fact: PlanFact, on: string, days: number): void {
    this.add('agreement', { fact, days }, on.slice(0, 7), true);
  }

  now(fact: PlanFact): void {
    this.add('now', { fact }, '', true);
  }
}
