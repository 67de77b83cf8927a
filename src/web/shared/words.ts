/**
 * FHIR values in words of the chosen language: how often a measure happens,
 * a plan's status and kind, and what went wrong (an OperationOutcome is never
 * shown as JSON: its diagnostics are the server's sentence for a person, and
 * without them the issue code is said in words).
 */
import { h, type Child } from './dom.ts';
import { FhirProblem } from './fhir.ts';
import { formatDate } from './format.ts';
import { currentLocale, has, t, type MessageKey } from './i18n.ts';
import { categoryText, kindOf } from './plan.ts';

const UNITS = ['min', 'h', 'd', 'wk', 'mo', 'a'] as const;
type Unit = (typeof UNITS)[number];
const isUnit = (u: string | undefined): u is Unit => (UNITS as readonly string[]).includes(u ?? '');

/**
 * "Every 3rd week" in each language's own way: Swedish `3:e` (`:a` after 1
 * and 2, but not 11 and 12), Norwegian `3.`, English the plain number ("every 3 weeks").
 */
function ordinal(n: number): string {
  const locale = currentLocale();
  if (locale === 'sv') return `${n}:${(n % 10 === 1 || n % 10 === 2) && n % 100 !== 11 && n % 100 !== 12 ? 'a' : 'e'}`;
  if (locale === 'nb') return `${n}.`;
  return String(n);
}

/** "Every day", "Every other week", "Every 3 weeks", "3 times a week", "Oktober–november 2025", "12 March – 30 April 2026". */
export function timingText(detail: fhir4.CarePlanActivityDetail | undefined): string {
  if (!detail) return '';
  if (detail.scheduledString) return detail.scheduledString;
  if (detail.scheduledPeriod) return periodText(detail.scheduledPeriod);
  const timing = detail.scheduledTiming;
  const repeat = timing?.repeat;
  if (repeat && isUnit(repeat.periodUnit)) {
    const f = repeat.frequency ?? 1;
    const p = repeat.period ?? 1;
    const u = repeat.periodUnit;
    if (f === 1 && p === 1) return t(`timing.every.${u}` as MessageKey);
    if (f === 1 && p === 2) return t(`timing.everyOther.${u}` as MessageKey);
    if (f === 1) return t(`timing.everyN.${u}` as MessageKey, { nth: ordinal(p) });
    if (p === 1) return t(`timing.timesPer.${u}` as MessageKey, { times: f });
    return t('timing.timesPerN', { times: f, n: p, unit: t(`unit.${u}` as MessageKey) });
  }
  if (timing?.event?.length) return timing.event.map((e) => formatDate(e)).join(', ');
  return timing?.code?.text ?? '';
}

/** A period in words: both ends, or "from …" / "until …" when one is open. */
export function periodText(p: fhir4.Period | undefined): string {
  if (!p?.start && !p?.end) return '';
  if (p.start && p.end) return p.start === p.end ? formatDate(p.start) : `${formatDate(p.start)} – ${formatDate(p.end)}`;
  return p.start ? t('timing.from', { date: formatDate(p.start) }) : t('timing.until', { date: formatDate(p.end) });
}

export function planKindText(plan: fhir4.CarePlan): string {
  const kind = kindOf(plan);
  return kind ? t(`kind.${kind}` as MessageKey) : (categoryText(plan) ?? t('kind.other'));
}

export function statusText(status: string | undefined): string {
  const key = `status.${status ?? 'unknown'}`;
  return has(key) ? t(key) : (status ?? '');
}

export function activityStatusText(status: string | undefined): string {
  const key = `activity.${status ?? 'unknown'}`;
  return has(key) ? t(key) : (status ?? '');
}

/** A reference in words: its display, else the id as it is. */
export function nameOf(ref: fhir4.Reference | undefined): string {
  return ref?.display ?? ref?.reference ?? t('unknown');
}

/** A person's name as they write it: HumanName.text, else given and family names. */
export function personName(names: fhir4.HumanName[] | undefined): string {
  const n = names?.[0];
  return n?.text ?? [...(n?.given ?? []), n?.family].filter(Boolean).join(' ');
}

/** What went wrong: a sentence in the person's language, then the server's own words (English). */
export interface ProblemWords {
  lead: string;
  /** The OperationOutcome's diagnostics, in English as the server writes them. */
  detail?: string;
}

export function problemWords(err: unknown): ProblemWords {
  if (!(err instanceof FhirProblem)) return { lead: t('error.unexpected') };
  const said = (err.outcome?.issue ?? []).map((i) => i.diagnostics ?? i.details?.text).filter((s): s is string => !!s);
  const lead = t(`error.${err.kind}` as MessageKey);
  return said.length > 0 ? { lead, detail: said.join(' ') } : { lead };
}

/** problemWords as page content: the server's English marked as such (WCAG 3.1.2, language of parts). */
export function problemContent(err: unknown): Child[] {
  const w = problemWords(err);
  return [w.lead, w.detail ? [' ', h('span', { lang: 'en' }, w.detail)] : null];
}
