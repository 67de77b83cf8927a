/**
 * Days and months as the health communities count them: the calendar of
 * Europe/Stockholm (Norway and Sweden share it, CET/CEST). A follow-up date
 * is a local date; a version written at 00:30 on the 16th in Oslo was written
 * on the 16th, although it is still the 15th in UTC.
 */
const ZONE = 'Europe/Stockholm';
const DAY = 86_400_000;

const dayFormat = new Intl.DateTimeFormat('sv-SE', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The local date (YYYY-MM-DD) of an instant. */
export function localDate(at: Date): string {
  return dayFormat.format(at);
}

/** The instant a local date begins (its local midnight). */
export function startOfLocalDay(date: string): Date {
  // Midnight UTC of that date, moved by the zone's offset at about that time (found by formatting).
  const guess = new Date(`${date}T00:00:00Z`);
  for (const offsetHours of [-1, -2, 0, -3, 1]) {
    const t = new Date(guess.getTime() + offsetHours * 3_600_000);
    if (localDate(t) === date && localDate(new Date(t.getTime() - 1)) !== date) return t;
  }
  throw new RangeError(`no local midnight found for ${date}`);
}

/** The day after a local date. */
export function nextDate(date: string): string {
  return new Date(new Date(`${date}T12:00:00Z`).getTime() + DAY).toISOString().slice(0, 10);
}

/** Whole days from one local date to another (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T12:00:00Z`) - Date.parse(`${a}T12:00:00Z`)) / DAY);
}

export interface MonthEnd {
  /** YYYY-MM */
  month: string;
  /** When the month's snapshot is taken: the month's end, or the period's end, or now, whichever is first. */
  at: Date;
}

/** The months a period touches, each with the instant its snapshot is taken; months not yet begun are left out. */
export function monthEnds(first: string, last: string, now: Date): MonthEnd[] {
  const end = startOfLocalDay(nextDate(last));
  const out: MonthEnd[] = [];
  for (let month = first.slice(0, 7); month <= last.slice(0, 7); ) {
    const [y, m] = month.split('-').map(Number) as [number, number];
    const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
    const monthEnd = startOfLocalDay(`${next}-01`);
    const at = new Date(Math.min(monthEnd.getTime(), end.getTime(), now.getTime()));
    if (startOfLocalDay(`${month}-01`).getTime() >= now.getTime()) break;
    out.push({ month, at });
    month = next;
  }
  return out;
}
