/**
 * Turns FHIR search parameters into a MongoDB query over `resources`.
 * https://hl7.org/fhir/R4/search.html
 *
 * Safety: every value reaches MongoDB as a string or Date inside an operator
 * this file chose (equality, $in, $gte, …); nothing from the request is ever
 * used as an operator or a regular expression, so `$where`, `{"$ne": …}` or
 * regex meta-characters in a value are just characters to match.
 */
import { fail } from '../../errors.ts';
import { dateRange, normaliseReference, type DateRange } from './values.ts';
import { hiField, loField, searchParam, searchParamsOf, type SearchParam } from './params.ts';

export type Filter = Record<string, unknown>;
export type Sort = [field: string, dir: 1 | -1][];

export interface ParsedSearch {
  filter: Filter;
  sort: Sort;
  count: number;
  offset: number;
  includes: { source: string; param: string }[];
  summaryCount: boolean;
  /**
   * `auto` (no `_total` given): counted when the search is answered by probes
   * of its criteria, left out when it is a listing walked through time (a
   * listing of everything stops at the page: https://hl7.org/fhir/R4/search.html#total).
   */
  totalMode: 'accurate' | 'none' | 'auto';
  /** Parameters ignored under `Prefer: handling=lenient`, for the Bundle's self link. */
  ignored: string[];
  /** The parameters that took effect, normalised, for self/next links. */
  applied: [string, string][];
  /** How many values the criteria hold (`a,b` counts two): what the search costs the caller's budget. */
  terms: number;
}

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 1000;
/** Most values one search may name: each is a query of its own, so a 40,000-term search is refused, not run. */
export const MAX_SEARCH_TERMS = 100;

const DATE_PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb'] as const;
type DatePrefix = (typeof DATE_PREFIXES)[number];

/** Result parameters and those every type has: https://hl7.org/fhir/R4/search.html#all */
const CONTROL = new Set(['_count', '_offset', '_sort', '_include', '_summary', '_total', '_format']);

/** Supported `_include` values → the reference search parameter whose values are followed. */
export const INCLUDES: Record<string, string> = {
  'CarePlan:care-team': 'care-team',
  'CarePlan:goal': 'goal',
  'CarePlan:subject': 'subject',
  'CarePlan:patient': 'patient',
  'CareTeam:participant': 'participant',
  'CareTeam:subject': 'subject',
  'Goal:subject': 'subject',
  // The team page's choice of colleagues: the people of an organisation on the team (src/web/team/views/members.ts).
  'PractitionerRole:practitioner': 'practitioner',
};

function invalid(diagnostics: string, expression?: string): never {
  fail('invalid', diagnostics, { code: 'invalid', ...(expression ? { expression } : {}) });
}

export function parseSearch(type: string, params: [string, string][], lenient: boolean): ParsedSearch {
  const and: Filter[] = [];
  const out: ParsedSearch = { filter: {}, sort: [], count: DEFAULT_COUNT, offset: 0, includes: [], summaryCount: false, totalMode: 'auto', ignored: [], applied: [], terms: 0 };
  out.terms = params.reduce((n, [name, value]) => n + (CONTROL.has(name.split(':')[0] ?? '') ? 0 : splitValues(value).length), 0);
  if (out.terms > MAX_SEARCH_TERMS) fail('too-large', `A search may name at most ${MAX_SEARCH_TERMS} values; this one names ${out.terms}. Split it into several searches`);

  for (const [rawName, value] of params) {
    const [name = '', modifier] = rawName.split(':', 2) as [string, string | undefined];
    if (CONTROL.has(name)) {
      control(type, name, modifier, value, out, lenient);
      continue;
    }
    if (name === '_id') {
      and.push({ id: { $in: splitValues(value) } });
    } else if (name === '_lastUpdated') {
      and.push(orOf(splitValues(value).map((v) => dateCondition('lastUpdated', 'lastUpdated', v, name))));
    } else {
      const p = searchParam(type, name);
      if (!p) {
        if (lenient) {
          out.ignored.push(rawName);
          continue;
        }
        invalid(`Unknown search parameter '${name}' for ${type}. Supported: ${['_id', '_lastUpdated', ...searchParamsOf(type).map((s) => s.name)].join(', ')}`);
      }
      and.push(paramCondition(type, p, modifier, value));
    }
    out.applied.push([rawName, value]);
  }
  out.filter = and.length ? { $and: and } : {};
  if (out.sort.length === 0) out.sort = [['lastUpdated', -1]];
  // A unique tiebreaker keeps pages stable: https://hl7.org/fhir/R4/http.html#paging
  out.sort.push(['_id', 1]);
  return out;
}

function control(type: string, name: string, modifier: string | undefined, value: string, out: ParsedSearch, lenient: boolean): void {
  switch (name) {
    case '_count': {
      const n = wholeNumber(value, name);
      out.count = Math.min(n, MAX_COUNT);
      out.applied.push([name, String(out.count)]);
      return;
    }
    case '_offset':
      out.offset = wholeNumber(value, name);
      return;
    case '_sort':
      out.sort = splitValues(value).map((s) => sortKey(type, s));
      out.applied.push([name, value]);
      return;
    case '_include': {
      // _include:iterate is accepted and treated as a plain _include (one level).
      const spec = value;
      const [source, param] = spec.split(':');
      if (source !== type || !param || INCLUDES[spec] === undefined) {
        if (lenient) return void out.ignored.push(`${name}=${value}`);
        invalid(`Unsupported _include '${value}'. Supported for ${type}: ${Object.keys(INCLUDES).filter((k) => k.startsWith(`${type}:`)).join(', ') || 'none'}`);
      }
      out.includes.push({ source, param: INCLUDES[spec] as string });
      out.applied.push([name, value]);
      return;
    }
    case '_summary':
      if (value === 'count') out.summaryCount = true;
      else if (value !== 'false') {
        if (lenient) return void out.ignored.push(`${name}=${value}`);
        invalid(`_summary=${value} is not supported (only count and false)`);
      }
      out.applied.push([name, value]);
      return;
    case '_total':
      if (!['none', 'estimate', 'accurate'].includes(value)) invalid(`_total must be none, estimate or accurate`);
      out.totalMode = value === 'none' ? 'none' : 'accurate';
      out.applied.push([name, value]);
      return;
    case '_format':
      if (!/json/.test(value)) fail('not-acceptable', `Only JSON is supported (_format=${value})`);
      return;
  }
}

function wholeNumber(value: string, name: string): number {
  if (!/^\d{1,9}$/.test(value)) invalid(`${name} must be a non-negative whole number, not '${value}'`);
  return Number(value);
}

function sortKey(type: string, spec: string): [string, 1 | -1] {
  const desc = spec.startsWith('-');
  const name = desc ? spec.slice(1) : spec;
  const dir: 1 | -1 = desc ? -1 : 1;
  if (name === '_lastUpdated') return ['lastUpdated', dir];
  if (name === '_id') return ['id', dir];
  const p = searchParam(type, name);
  if (!p) invalid(`Cannot sort ${type} by '${name}'`, '_sort');
  // Dates sort by where their range starts (descending: where it ends), tokens by their first value.
  if (p.type === 'date') return [`sp.${desc ? hiField(name) : loField(name)}`, dir];
  return [`sp.${name}`, dir];
}

/** Comma means OR within one parameter: https://hl7.org/fhir/R4/search.html#combining */
function splitValues(value: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\' && i + 1 < value.length) {
      cur += value[++i];
    } else if (ch === ',') {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  if (parts.some((p) => p === '')) invalid(`Empty value in search parameter value '${value}'`);
  return parts;
}

function orOf(conds: Filter[]): Filter {
  return conds.length === 1 ? (conds[0] as Filter) : { $or: conds };
}

function paramCondition(type: string, p: SearchParam, modifier: string | undefined, value: string): Filter {
  if (modifier === 'missing') {
    if (value !== 'true' && value !== 'false') invalid(`${p.name}:missing takes true or false`);
    const field = p.type === 'date' ? `sp.${loField(p.name)}` : `sp.${p.name}`;
    return { [field]: { $exists: value === 'false' } };
  }
  if (p.type === 'date') {
    if (modifier) invalid(`Modifier :${modifier} is not supported on date parameter ${p.name}`);
    return orOf(splitValues(value).map((v) => dateCondition(`sp.${loField(p.name)}`, `sp.${hiField(p.name)}`, v, p.name)));
  }
  const values = splitValues(value);
  let stored: string[];
  if (p.type === 'reference') {
    const target = modifier && /^[A-Z][A-Za-z]+$/.test(modifier) ? modifier : undefined;
    if (modifier && !target) invalid(`Modifier :${modifier} is not supported on reference parameter ${p.name}`);
    stored = values.map((v) => referenceValue(type, p.name, v, target));
  } else if (p.type === 'token') {
    if (modifier && modifier !== 'not') invalid(`Modifier :${modifier} is not supported on token parameter ${p.name}`);
    stored = values;
    if (modifier === 'not') return { [`sp.${p.name}`]: { $nin: stored } };
  } else {
    if (modifier && modifier !== 'exact') invalid(`Modifier :${modifier} is not supported on string parameter ${p.name}`);
    stored = values;
  }
  return { [`sp.${p.name}`]: { $in: stored } };
}

/** The reference targets a parameter name implies when a bare id is given. */
const DEFAULT_TARGET: Record<string, string> = { patient: 'Patient', 'care-team': 'CareTeam', goal: 'Goal', practitioner: 'Practitioner', organization: 'Organization' };

function referenceValue(type: string, name: string, value: string, target: string | undefined): string {
  if (value.includes('/')) return normaliseReference(value) ?? value;
  const t = target ?? DEFAULT_TARGET[name];
  if (!t) invalid(`Search parameter ${type}.${name} needs a typed reference such as Patient/${value} (or ${name}:Patient=${value})`);
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(value)) invalid(`'${value}' is not a valid resource id`);
  return `${t}/${value}`;
}

/**
 * Date comparison against a stored range [lo, hi) — the semantics of
 * https://hl7.org/fhir/R4/search.html#prefix with both sides as ranges.
 */
function dateCondition(loPath: string, hiPath: string, raw: string, name: string): Filter {
  const prefix = DATE_PREFIXES.find((p) => raw.startsWith(p) && /^\d/.test(raw.slice(2))) as DatePrefix | undefined;
  const text = prefix ? raw.slice(2) : raw;
  const r: DateRange | undefined = dateRange(text);
  if (!r) invalid(`'${raw}' is not a valid date for ${name} (expected [prefix]YYYY[-MM[-DD[Thh:mm[:ss][Z|±hh:mm]]]])`);
  const same = loPath === hiPath; // an instant (lastUpdated) is its own one-point range
  switch (prefix ?? 'eq') {
    case 'eq':
      return same ? { [loPath]: { $gte: r.lo, $lt: r.hi } } : { [loPath]: { $gte: r.lo }, [hiPath]: { $lte: r.hi } };
    case 'ne':
      return { $or: [{ [loPath]: { $lt: r.lo } }, { [hiPath]: same ? { $gte: r.hi } : { $gt: r.hi } }] };
    case 'gt':
      return { [hiPath]: same ? { $gte: r.hi } : { $gt: r.hi } };
    case 'ge':
      return { [hiPath]: same ? { $gte: r.lo } : { $gt: r.lo } };
    case 'lt':
      return { [loPath]: { $lt: r.lo } };
    case 'le':
      return { [loPath]: { $lt: r.hi } };
    case 'sa': // starts after the value's range ends (hi is exclusive)
      return { [loPath]: { $gte: r.hi } };
    case 'eb': // ends before the value's range starts
      return { [hiPath]: same ? { $lt: r.lo } : { $lte: r.lo } };
  }
}
