/**
 * How FHIR element values become indexable strings and ranges.
 * Token and reference matching rules: https://hl7.org/fhir/R4/search.html#token
 * and https://hl7.org/fhir/R4/search.html#reference
 */

/** The instant range [lo, hi) a FHIR date/dateTime/instant covers at its precision. */
export interface DateRange {
  lo: Date;
  hi: Date;
}

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * Parses a FHIR date, dateTime or instant into the range it denotes
 * (https://hl7.org/fhir/R4/search.html#date: "the range of the value").
 * Values without a time zone are taken as UTC. Returns undefined if malformed.
 */
export function dateRange(value: string): DateRange | undefined {
  const m = DATE_RE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  if (year < 100) return undefined; // Date.UTC would read 0–99 as 1900–1999; no plan dates from then
  if (mo === undefined) return { lo: utc(year, 0, 1), hi: utc(year + 1, 0, 1) };
  const month = Number(mo) - 1;
  if (month < 0 || month > 11) return undefined;
  if (d === undefined) return { lo: utc(year, month, 1), hi: utc(year, month + 1, 1) };
  const day = Number(d);
  if (day < 1 || day > new Date(Date.UTC(year, month + 1, 0)).getUTCDate()) return undefined;
  if (h === undefined) return { lo: utc(year, month, day), hi: utc(year, month, day + 1) };
  if (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59)) return undefined;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${frac ?? ''}${tz ?? 'Z'}`;
  const lo = new Date(iso);
  if (Number.isNaN(lo.getTime())) return undefined;
  // Precision: minutes, seconds or milliseconds (sub-millisecond digits are beyond a Date).
  const step = s === undefined ? 60_000 : frac === undefined ? 1000 : Math.max(1, 10 ** (3 - Math.min(frac.length - 1, 3)));
  return { lo, hi: new Date(lo.getTime() + step) };
}

function utc(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month, day));
}

/** The range a Period covers; open ends reach the far past / far future. */
export function periodRange(period: fhir4.Period | undefined): DateRange | undefined {
  if (!period || (period.start === undefined && period.end === undefined)) return undefined;
  const lo = period.start ? dateRange(period.start)?.lo : undefined;
  const hi = period.end ? dateRange(period.end)?.hi : undefined;
  return { lo: lo ?? FAR_PAST, hi: hi ?? FAR_FUTURE };
}

// ISO strings, not Date.UTC: Date.UTC(1, …) would mean 1901.
export const FAR_PAST = new Date('0001-01-01T00:00:00Z');
export const FAR_FUTURE = new Date('9999-12-31T00:00:00Z');

/** Token index values for a coding-like value: "system|code", "code", "system|" (and "|code" when it has no system). */
export function tokenValues(system: string | undefined, code: string | undefined): string[] {
  const out: string[] = [];
  if (code !== undefined && code !== '') {
    out.push(code);
    out.push(system ? `${system}|${code}` : `|${code}`);
  }
  if (system) out.push(`${system}|`);
  return out;
}

export function codeableTokens(concepts: (fhir4.CodeableConcept | undefined)[] | undefined): string[] {
  return (concepts ?? []).flatMap((c) => (c?.coding ?? []).flatMap((cd) => tokenValues(cd.system, cd.code)));
}

export function identifierTokens(ids: fhir4.Identifier[] | undefined): string[] {
  return (ids ?? []).flatMap((i) => tokenValues(i.system, i.value));
}

const RELATIVE_REF = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/**
 * Normalises a reference for indexing and matching: "Type/id" for relative
 * references (a version suffix is dropped), the absolute URL otherwise.
 */
export function normaliseReference(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  const m = RELATIVE_REF.exec(ref);
  if (m) return `${m[1]}/${m[2]}`;
  return ref.replace(/\/_history\/[^/]+$/, '');
}

export function referenceValues(refs: (fhir4.Reference | undefined)[] | undefined, onlyType?: string): string[] {
  const out: string[] = [];
  for (const r of refs ?? []) {
    const n = normaliseReference(r?.reference);
    if (n && (!onlyType || n.startsWith(`${onlyType}/`))) out.push(n);
  }
  return out;
}

export function uniq(values: string[]): string[] {
  return [...new Set(values)];
}
