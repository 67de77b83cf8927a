/**
 * The next follow-up of a plan (extension samplan-next-review, a FHIR `date`)
 * and the `review-due` search parameter over it (type date:
 * https://hl7.org/fhir/R4/search.html#date). A date may be partial (2026,
 * 2026-03); as a search target it stands for the whole period it names.
 */
import { EXTENSION } from '../validation/index.ts';

/** The plan's next follow-up date as written (YYYY, YYYY-MM or YYYY-MM-DD), if any. */
export function nextReviewDate(plan: fhir4.CarePlan): string | undefined {
  return plan.extension?.find((e) => e.url === EXTENSION.nextReview)?.valueDate;
}

/** A copy of the plan with its next follow-up date set (or removed, for undefined). */
export function withNextReview(plan: fhir4.CarePlan, date: string | undefined): fhir4.CarePlan {
  const others = (plan.extension ?? []).filter((e) => e.url !== EXTENSION.nextReview);
  const extension = date ? [...others, { url: EXTENSION.nextReview, valueDate: date }] : others;
  const copy: fhir4.CarePlan = { ...structuredClone(plan), extension };
  if (extension.length === 0) delete copy.extension;
  return copy;
}

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The inclusive day range a (partial) date names: 2026-03 → 2026-03-01 … 2026-03-31. */
export function dateRange(date: string): { start: string; end: string } {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(date);
  if (!m) throw new RangeError(`not a FHIR date: ${date}`);
  const [, y, mo, d] = m as unknown as [string, string, string | undefined, string | undefined];
  if (d !== undefined) return { start: `${y}-${mo}-${d}`, end: `${y}-${mo}-${d}` };
  if (mo !== undefined) return { start: `${y}-${mo}-01`, end: `${y}-${mo}-${String(lastDayOfMonth(Number(y), Number(mo))).padStart(2, '0')}` };
  return { start: `${y}-01-01`, end: `${y}-12-31` };
}

/**
 * What the store indexes for `review-due`: the day range of the next
 * follow-up date, or undefined when the plan has none (it never matches).
 */
export function reviewDueIndex(plan: fhir4.CarePlan): { start: string; end: string } | undefined {
  const date = nextReviewDate(plan);
  return date ? dateRange(date) : undefined;
}

/**
 * `review-due=le{date}`: the plan's follow-up is due on or before `date`
 * (its range starts no later than the end of the day range `date` names).
 */
export function isReviewDue(plan: fhir4.CarePlan, onOrBefore: string): boolean {
  const r = reviewDueIndex(plan);
  return r !== undefined && r.start <= dateRange(onOrBefore).end;
}
