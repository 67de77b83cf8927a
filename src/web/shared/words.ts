/**
 * FHIR values in words of the chosen language: how often a measure happens,
 * a plan's status and kind, and what went wrong (an OperationOutcome is never
 * shown as JSON: its diagnostics are the server's sentence for a person, and
 * without them the issue code is said in words).
 */
import { FhirProblem } from './fhir.ts';
import { formatDate } from './format.ts';
import { has, t, type MessageKey } from './i18n.ts';
import { categoryText, kindOf } from './plan.ts';

const UNITS = ['min', 'h', 'd', 'wk', 'mo', 'a'] as const;
type Unit = (typeof UNITS)[number];
const isUnit = (u: string | undefined): u is Unit => (UNITS as readonly string[]).includes(u ?? '');

/** "Every day", "Every 2 weeks", "3 times a week", "Oktober–november 2025", "12 March – 30 April 2026". */
export function timingText(detail: fhir4.CarePlanActivityDetail | undefined): string {
  if (!detail) return '';
  if (detail.scheduledString) return detail.scheduledString;
  if (detail.scheduledPeriod) {
    const { start, end } = detail.scheduledPeriod;
    return start && end ? (start === end ? formatDate(start) : `${formatDate(start)} – ${formatDate(end)}`) : start ? t('timing.from', { date: formatDate(start) }) : t('timing.until', { date: formatDate(end) });
  }
  const timing = detail.scheduledTiming;
  const repeat = timing?.repeat;
  if (repeat && isUnit(repeat.periodUnit)) {
    const f = repeat.frequency ?? 1;
    const p = repeat.period ?? 1;
    const u = repeat.periodUnit;
    if (f === 1 && p === 1) return t(`timing.every.${u}` as MessageKey);
    if (f === 1) return t(`timing.everyN.${u}` as MessageKey, { n: p });
    if (p === 1) return t(`timing.timesPer.${u}` as MessageKey, { times: f });
    return t('timing.timesPerN', { times: f, n: p, unit: t(`unit.${u}` as MessageKey) });
  }
  if (timing?.event?.length) return timing.event.map((e) => formatDate(e)).join(', ');
  return timing?.code?.text ?? '';
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

/** What went wrong, in a sentence for the person who tried. */
export function problemText(err: unknown): string {
  if (!(err instanceof FhirProblem)) return t('error.unexpected');
  const said = (err.outcome?.issue ?? []).map((i) => i.diagnostics ?? i.details?.text).filter((s): s is string => !!s);
  const lead = t(`error.${err.kind}` as MessageKey);
  return said.length > 0 ? `${lead} ${said.join(' ')}` : lead;
}
