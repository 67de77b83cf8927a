/**
 * The next follow-up date and the review-due search: which plans are due on
 * or before a date, including partial dates.
 */
import { describe, expect, it } from 'vitest';
import { dateRange, isReviewDue, nextReviewDate, reviewDueIndex, withNextReview } from '../../src/plans/index.ts';
import { EXTENSION } from '../../src/validation/index.ts';
import { EXAMPLES, examplePlan, storedPatientkontrakt } from './fixtures.ts';

describe('next follow-up date', () => {
  it('is read from the samplan-next-review extension of every example', () => {
    expect(EXAMPLES.map((n) => nextReviewDate(examplePlan(n)))).toEqual(['2026-03-12', '2026-02-10', '2026-01-15', '2025-12-05']);
  });

  it('can be set, replaced and removed', () => {
    const p = storedPatientkontrakt();
    const moved = withNextReview(p, '2026-04-02');
    expect(nextReviewDate(moved)).toBe('2026-04-02');
    expect(moved.extension?.filter((e) => e.url === EXTENSION.nextReview)).toHaveLength(1);
    expect(nextReviewDate(withNextReview(p, undefined))).toBeUndefined();
    expect(nextReviewDate(p)).toBe('2026-03-12'); // the original is untouched
  });
});

describe('date ranges', () => {
  it.each([
    ['2026-03-12', '2026-03-12', '2026-03-12'],
    ['2026-02', '2026-02-01', '2026-02-28'],
    ['2024-02', '2024-02-01', '2024-02-29'],
    ['2026', '2026-01-01', '2026-12-31'],
  ])('%s → %s … %s', (d, start, end) => {
    expect(dateRange(d)).toEqual({ start, end });
  });
  it('refuses what is not a date', () => {
    expect(() => dateRange('mars')).toThrow(RangeError);
  });
});

describe('review-due=le{date}', () => {
  const plan = (date?: string): fhir4.CarePlan => withNextReview(storedPatientkontrakt(), date);

  it('matches plans due on or before the date, not after', () => {
    expect(isReviewDue(plan('2026-03-12'), '2026-03-12')).toBe(true);
    expect(isReviewDue(plan('2026-03-11'), '2026-03-12')).toBe(true);
    expect(isReviewDue(plan('2026-03-13'), '2026-03-12')).toBe(false);
  });

  it('reads a search date as the whole period it names', () => {
    expect(isReviewDue(plan('2026-03-31'), '2026-03')).toBe(true);
    expect(isReviewDue(plan('2026-04-01'), '2026-03')).toBe(false);
  });

  it('matches a partially dated follow-up once its period has begun', () => {
    expect(isReviewDue(plan('2026-03'), '2026-03-01')).toBe(true);
    expect(isReviewDue(plan('2026-03'), '2026-02-28')).toBe(false);
  });

  it('never matches a plan without a follow-up date', () => {
    expect(isReviewDue(plan(undefined), '2999-12-31')).toBe(false);
    expect(reviewDueIndex(plan(undefined))).toBeUndefined();
  });

  it('gives the store the range to index', () => {
    expect(reviewDueIndex(plan('2026-03'))).toEqual({ start: '2026-03-01', end: '2026-03-31' });
  });

  it('finds the examples due before new year', () => {
    const due = EXAMPLES.filter((n) => isReviewDue(examplePlan(n), '2025-12-31'));
    expect(due).toEqual(['utskrivning-oppfolging']);
  });
});
