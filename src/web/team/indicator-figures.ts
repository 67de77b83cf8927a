/**
 * A summary MeasureReport (https://hl7.org/fhir/R4/measurereport.html) as
 * the figures the indicators page draws: per group the period's figure, one
 * per month, and the other strata; and the same as CSV. A cell the server
 * suppressed carries data-absent-reason `masked` instead of a number
 * (https://hl7.org/fhir/R4/extension-data-absent-reason.html): it stays
 * masked here, in the chart (a gap), the table and the CSV.
 */

const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

/** How a group's score reads: a number of plans, a share of them, or days. */
export type FigureKind = 'count' | 'share' | 'days';

export interface Figure {
  masked: boolean;
  /** The score: plans, a share 0..1, or days; undefined when there is nothing to score. */
  score?: number;
  /** Initial population (the denominator of a share). */
  count?: number;
  numerator?: number;
}

export interface Stratum {
  stratifier: string;
  /** The stratum's code (`2026-03`, `Organization/x`, `sip`). */
  value: string;
  /** Its name where the report gives one. */
  label: string;
  figure: Figure;
}

export interface GroupFigures {
  code: string;
  kind: FigureKind;
  total: Figure;
  /** The month strata in order; empty for a group without them. */
  months: Stratum[];
  strata: Stratum[];
}

const isMasked = (e: fhir4.Element | undefined): boolean => (e?.extension ?? []).some((x) => x.url === DATA_ABSENT && x.valueCode === 'masked');

function figureOf(populations: fhir4.MeasureReportGroupPopulation[] | undefined, score: fhir4.Quantity | undefined): Figure {
  const pop = (c: string): fhir4.MeasureReportGroupPopulation | undefined => populations?.find((p) => p.code?.coding?.some((x) => x.code === c));
  const initial = pop('initial-population');
  const masked = isMasked(score) || (populations ?? []).some((p) => isMasked((p as { _count?: fhir4.Element })._count));
  if (masked) return { masked };
  const numerator = pop('numerator')?.count;
  return { masked, ...(score?.value !== undefined ? { score: score.value } : {}), ...(initial?.count !== undefined ? { count: initial.count } : {}), ...(numerator !== undefined ? { numerator } : {}) };
}

function kindOf(measure: fhir4.Measure | undefined, group: fhir4.MeasureReportGroup): FigureKind {
  const scoring = measure?.scoring?.coding?.[0]?.code;
  if (scoring === 'continuous-variable') return 'days';
  return group.population?.some((p) => p.code?.coding?.some((c) => c.code === 'numerator')) ? 'share' : 'count';
}

const codeOf = (c: fhir4.CodeableConcept | undefined): string => c?.coding?.[0]?.code ?? c?.text ?? '';

export function figuresOf(report: fhir4.MeasureReport, measure?: fhir4.Measure): GroupFigures[] {
  return (report.group ?? []).map((g) => {
    const strata = (g.stratifier ?? []).flatMap((s) =>
      (s.stratum ?? []).map((st): Stratum => ({
        stratifier: codeOf(s.code?.[0]),
        value: codeOf(st.value),
        label: st.value?.text ?? codeOf(st.value),
        figure: figureOf(st.population, st.measureScore),
      })),
    );
    return {
      code: g.id ?? codeOf(g.code),
      kind: kindOf(measure, g),
      total: figureOf(g.population, g.measureScore),
      months: strata.filter((s) => s.stratifier === 'month').sort((a, b) => a.value.localeCompare(b.value)),
      strata: strata.filter((s) => s.stratifier !== 'month'),
    };
  });
}

/** The organisations a report names in its strata, with their names: the choices of the organisation filter. */
export function organisationsOf(report: fhir4.MeasureReport): Map<string, string> {
  const out = new Map<string, string>();
  for (const g of report.group ?? []) {
    for (const s of g.stratifier ?? []) {
      if (codeOf(s.code?.[0]) !== 'organization') continue;
      for (const st of s.stratum ?? []) {
        const ref = st.value?.coding?.[0]?.code;
        if (ref) out.set(ref, st.value?.coding?.[0]?.display ?? st.value?.text ?? ref);
      }
    }
  }
  return out;
}

const csvCell = (v: string | number | undefined): string => {
  const s = v === undefined ? '' : String(v);
  return /[",\n\r;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export interface CsvSource {
  measure: string;
  period: { start: string; end: string };
  groups: GroupFigures[];
}

/**
 * One row per cell, the period's figure first. A masked cell has empty
 * figures and `masked` = yes, so a spreadsheet never shows it as zero.
 * Codes, not words, in the columns: the file is read by tools as often as by people.
 */
export function figuresCsv(sources: CsvSource[]): string {
  const header = ['measure', 'group', 'period_start', 'period_end', 'stratifier', 'stratum', 'stratum_name', 'count', 'numerator', 'score', 'masked'];
  const rows = sources.flatMap(({ measure, period, groups }) =>
    groups.flatMap((g) =>
      [{ stratifier: '', value: '', label: '', figure: g.total }, ...g.months, ...g.strata].map((s) => [
        measure, g.code, period.start, period.end, s.stratifier, s.value, s.label === s.value ? '' : s.label,
        s.figure.count, s.figure.numerator, s.figure.score, s.figure.masked ? 'yes' : 'no',
      ]),
    ),
  );
  // The byte-order mark tells spreadsheet programs the file is UTF-8 (å, ä, ö, ø in names).
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
