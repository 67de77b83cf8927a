/**
 * Measure/days-to-agreement: days from a plan's creation to the patient's
 * first agreement, for the first agreements given in the period; median and
 * 90th percentile (nearest rank). Right answers by hand below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateMeasure } from '../../src/measures/index.ts';
import { dropTestDatabase } from '../support/db.ts';
import { count, groupOf, history, plan, score, strata, type History } from './support.ts';

const PERIOD = { first: '2026-01-01', last: '2026-03-31' };
const sip = { kind: 'sip', principal: 'Organization/kommun-a', performer: 'Organization/hemtjanst' } as const;
const pk = { kind: 'patientkontrakt', principal: 'Organization/region', performer: 'Organization/psykiatri' } as const;
const day = (d: number, month: string): string => `${month}-${String(d).padStart(2, '0')}T10:00:00Z`;
let h: History;

beforeAll(async () => {
  h = await history();
  // s1–s5 (SIP) made on 5 January, agreed 1–5 days later.
  for (let i = 1; i <= 5; i++) await h.write(day(5, '2026-01'), plan(`s${i}`, sip));
  for (let i = 1; i <= 5; i++) await h.write(day(5 + i, '2026-01'), plan(`s${i}`, { ...sip, agreement: 'current', agreedAt: day(5 + i, '2026-01') }));
  // k1–k5 (patientkontrakt) made on 1 February, agreed 6–10 days later.
  for (let i = 1; i <= 5; i++) await h.write(day(1, '2026-02'), plan(`k${i}`, pk));
  for (let i = 1; i <= 5; i++) await h.write(day(1 + 5 + i, '2026-02'), plan(`k${i}`, { ...pk, agreement: 'current', agreedAt: day(1 + 5 + i, '2026-02') }));
  // s1 agrees again in March: only the first agreement counts.
  await h.write(day(2, '2026-03'), plan('s1', { ...sip, agreement: 'current', agreedAt: day(2, '2026-03') }));
  // b1–b5: agreed in November, edited in the period: their first agreement is not in it.
  for (let i = 1; i <= 5; i++) await h.write('2025-11-01T10:00:00Z', plan(`b${i}`, sip));
  for (let i = 1; i <= 5; i++) await h.write('2025-11-20T10:00:00Z', plan(`b${i}`, { ...sip, agreement: 'current', agreedAt: '2025-11-20T10:00:00Z' }));
  for (let i = 1; i <= 5; i++) await h.write(day(10, '2026-02'), plan(`b${i}`, { ...sip, agreement: 'stale', agreedAt: '2025-11-20T10:00:00Z' }));
  // c1–c5: made in the EHR on 1 December (CarePlan.created), first stored on 10 March and agreed the same day: 99 days.
  for (let i = 1; i <= 5; i++) await h.write(day(10, '2026-03'), plan(`c${i}`, { ...pk, created: '2025-12-01', agreement: 'current', agreedAt: day(10, '2026-03') }));
  h.setNow('2026-04-10T12:00:00Z');
});
afterAll(() => dropTestDatabase(h.db));

describe('days to the first agreement', () => {
  it('median and 90th percentile over the period', async () => {
    const { report } = await evaluateMeasure(h.db.versions, 'days-to-agreement', PERIOD);
    // 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 99 ×5: fifteen; the median is the 8th (8), the 90th percentile the 14th (99).
    const median = groupOf(report, 'median');
    expect(count(median.population, 'measure-population')).toBe(15);
    expect(score(median)).toBe(8);
    expect(median.measureScore).toMatchObject({ unit: 'days', system: 'http://unitsofmeasure.org', code: 'd' });
    expect(score(groupOf(report, 'p90'))).toBe(99);
  });

  it('by kind and by the month of the agreement', async () => {
    const { report } = await evaluateMeasure(h.db.versions, 'days-to-agreement', PERIOD);
    const median = groupOf(report, 'median');
    const scores = (s: string): Record<string, number | 'masked' | undefined> =>
      Object.fromEntries((median.stratifier?.find((x) => x.code?.[0]?.coding?.[0]?.code === s)?.stratum ?? []).map((st) => [st.value?.coding?.[0]?.code ?? st.value?.text ?? '?', score(st)]));
    // SIP: 1–5 → 3. patientkontrakt: 6–10 and 99 ×5 → the mean of the 5th and 6th of ten, (10 + 99) / 2.
    expect(scores('kind')).toEqual({ sip: 3, patientkontrakt: 54.5 });
    expect(strata(median, 'month', 'measure-population')).toEqual({ '2026-01': 5, '2026-02': 5, '2026-03': 5 });
    expect(scores('month')).toEqual({ '2026-01': 3, '2026-02': 8, '2026-03': 99 });
  });

  it('a month with no first agreement has no score, and a shorter period only its own', async () => {
    const { report } = await evaluateMeasure(h.db.versions, 'days-to-agreement', { first: '2026-02-01', last: '2026-02-28' });
    const median = groupOf(report, 'median');
    expect(count(median.population, 'measure-population')).toBe(5);
    expect(score(median)).toBe(8);
    const empty = groupOf((await evaluateMeasure(h.db.versions, 'days-to-agreement', { first: '2025-06-01', last: '2025-06-30' })).report, 'median');
    expect(count(empty.population, 'measure-population')).toBe(0);
    expect(score(empty)).toBeUndefined();
  });
});
