/**
 * Dates and times for people, by Intl in the chosen language. A FHIR `date`
 * (2026-03-12) is a calendar day: it is shown as that day, never moved by a
 * time zone. A `dateTime`/`instant` is a moment: shown in the time zone of
 * the health community (Europe/Stockholm for Swedish, Europe/Oslo for
 * Norwegian; English follows the browser when it is in one of those zones).
 */
import { currentLocale, type Locale } from './i18n.ts';

const BCP47: Record<Locale, string> = { sv: 'sv-SE', nb: 'nb-NO', en: 'en-GB' };

export function timeZoneFor(locale: Locale): string {
  if (locale === 'sv') return 'Europe/Stockholm';
  if (locale === 'nb') return 'Europe/Oslo';
  const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return browser === 'Europe/Oslo' ? browser : 'Europe/Stockholm';
}

const DATE_ONLY = /^\d{4}(-\d{2}(-\d{2})?)?$/;

/** Making an Intl.DateTimeFormat costs far more than using one, and a plan page formats dozens of dates. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: Locale, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(opts)}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(BCP47[locale], opts)));
  return f;
}

export function formatDate(value: string | undefined): string {
  if (!value) return '';
  const locale = currentLocale();
  if (DATE_ONLY.test(value)) {
    const [y, m, d] = value.split('-').map(Number);
    const utc = new Date(Date.UTC(y!, (m ?? 1) - 1, d ?? 1));
    const opts: Intl.DateTimeFormatOptions = m === undefined ? { year: 'numeric' } : d === undefined ? { year: 'numeric', month: 'long' } : { dateStyle: 'long' };
    return formatter(locale, { ...opts, timeZone: 'UTC' }).format(utc);
  }
  return formatter(locale, { dateStyle: 'long', timeZone: timeZoneFor(locale) }).format(new Date(value));
}

export function formatDateTime(value: string | undefined): string {
  if (!value) return '';
  if (DATE_ONLY.test(value)) return formatDate(value);
  const locale = currentLocale();
  return formatter(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: timeZoneFor(locale) }).format(new Date(value));
}

/** Today's calendar day (`2026-03-12`) in the community's time zone, for "overdue" and "due within 14 days". */
export function todayIso(offsetDays = 0): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: timeZoneFor(currentLocale()) }).format(new Date());
  if (offsetDays === 0) return day;
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + offsetDays);
  return d.toISOString().slice(0, 10);
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/** A number in the chosen language (`1 234`, `72 %`): Intl's options, e.g. `{ style: 'percent' }`. */
export function formatNumber(value: number, opts: Intl.NumberFormatOptions = {}): string {
  const locale = currentLocale();
  const key = `${locale}|${JSON.stringify(opts)}`;
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat(BCP47[locale], opts)));
  return f.format(value);
}

/** A month (`2026-03`) as its short name, for a chart's axis: "mars". */
export function formatMonthShort(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return formatter(currentLocale(), { month: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(y!, (m ?? 1) - 1, 1)));
}
