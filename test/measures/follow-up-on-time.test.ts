/**
 * Measure/follow-up-on-time: each follow-up date in the period that has
 * passed, judged at the time — met when the plan was reviewed (a later date
 * set, or the plan completed) on or before it, missed otherwise, however the
 * plan looks today — and the plans overdue now. Right answers by hand below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateMeasure } from '../../src/measures/index.ts';
import { dropTestDatabase } from '../support/db.ts';
import { count, groupOf, history, plan, score, strata, type History } from './support.ts';

const PERIOD = { first: '2026-01-01', last: '2026-03-31' };
const five = (p: string): string[] => [1, 2, 3, 4, 5].map((i) => `${p}${i}`);
const sip = { kind: 'sip', principal: 'Organization/kommun-a', performer: 'Organization/hemtjanst' } as const;
const pk = { kind: 'patientkontrakt', principal: 'Organization/region', performer: 'Organization/psykiatri' } as const;
let h: History;

beforeAll(async () => {
  h = await history();
  // m: due 15 February, reviewed on 10 February (next date 15 May): met.
  for (const id of five('m')) await h.write('2025-12-01T10:00:00Z', plan(id, { ...sip, review: '2026-02-15' }));
  for (const id of five('m')) await h.write('2026-02-10T10:00:00Z', plan(id, { ...sip, review: '2026-05-15' }));
  // x: due 15 February, never touched: missed, and overdue now.
  for (const id of five('x')) await h.write('2025-12-01T10:00:00Z', plan(id, { ...sip, review: '2026-02-15' }));
  // y (patientkontrakt): due 20 January, reviewed late on 25 January (next 20 March): missed;
  // then completed on 18 March, before the next date: met.
  for (const id of five('y')) await h.write('2025-12-01T10:00:00Z', plan(id, { ...pk, review: '2026-01-20' }));
  for (const id of five('y')) await h.write('2026-01-25T10:00:00Z', plan(id, { ...pk, review: '2026-03-20' }));
  for (const id of five('y')) await h.write('2026-03-18T10:00:00Z', plan(id, { ...pk, status: 'completed', review: '2026-03-20' }));
  // z: due 15 February, reviewed on 20 February (next 1 June). Today they look fine; in February the date was missed.
  for (const id of five('z')) await h.write('2025-12-01T10:00:00Z', plan(id, { ...sip, review: '2026-02-15' }));
  for (const id of five('z')) await h.write('2026-02-20T10:00:00Z', plan(id, { ...sip, review: '2026-06-01' }));
  // e: due 15 February, an unrelated edit on 1 February (date unchanged), the date removed on 1 March: still missed.
  for (const id of five('e')) await h.write('2025-12-01T10:00:00Z', plan(id, { ...pk, review: '2026-02-15' }));
  for (const id of five('e')) await h.write('2026-02-01T10:00:00Z', plan(id, { ...pk, review: '2026-02-15', coordinator: true }));
  for (const id of five('e')) await h.write('2026-03-01T10:00:00Z', plan(id, { ...pk, coordinator: true }));
  // o: due 20 December 2025, before the period: not judged in it, but overdue now.
  for (const id of five('o')) await h.write('2025-11-01T10:00:00Z', plan(id, { ...sip, review: '2025-12-20' }));
  // w: due 20 April, after the period and not yet passed: neither judged nor overdue.
  for (const id of five('w')) await h.write('2025-12-01T10:00:00Z', plan(id, { ...sip, review: '2026-04-20' }));
  // r: due 15 February, revoked on 1 February: no follow-up owed any more.
  for (const id of five('r')) await h.write('2025-12-01T10:00:00Z', plan(id, { ...sip, review: '2026-02-15' }));
  for (const id of five('r')) await h.write('2026-02-01T10:00:00Z', plan(id, { ...sip, status: 'revoked', review: '2026-02-15' }));
  h.setNow('2026-04-10T12:00:00Z');
});
afterAll(() => dropTestDatabase(h.db));

describe('follow-ups on time', () => {
  it('judges every date in the period at the time: 10 of 30 met', async () => {
    const g = groupOf((await evaluateMeasure(h.db.versions, 'follow-up-on-time', PERIOD)).report, 'on-time');
    // Dates: m 5 met, x 5 missed, y 5 missed (January) + 5 met (March), z 5 missed, e 5 missed.
    expect(count(g.population, 'denominator')).toBe(30);
    expect(count(g.population, 'numerator')).toBe(10);
    expect(score(g)).toBeCloseTo(10 / 30, 4);
  });

  it('puts each date in the month it fell due, and by kind', async () => {
    const g = groupOf((await evaluateMeasure(h.db.versions, 'follow-up-on-time', PERIOD)).report, 'on-time');
    expect(strata(g, 'month', 'denominator')).toEqual({ '2026-01': 5, '2026-02': 20, '2026-03': 5 });
    expect(strata(g, 'month', 'numerator')).toEqual({ '2026-01': 0, '2026-02': 5, '2026-03': 5 });
    expect(strata(g, 'kind', 'denominator')).toEqual({ sip: 15, patientkontrakt: 15 });
    expect(strata(g, 'kind', 'numerator')).toEqual({ sip: 5, patientkontrakt: 5 });
  });

  it('a review after the date does not make it on time, though the plan looks fine today', async () => {
    const g = groupOf((await evaluateMeasure(h.db.versions, 'follow-up-on-time', { first: '2026-02-16', last: '2026-02-28' })).report, 'on-time');
    // No date falls in the second half of February.
    expect(count(g.population, 'denominator')).toBe(0);
    const feb = groupOf((await evaluateMeasure(h.db.versions, 'follow-up-on-time', { first: '2026-02-01', last: '2026-02-28' })).report, 'on-time');
    // m met; x, z and e missed; r revoked before its date owes nothing.
    expect(count(feb.population, 'denominator')).toBe(20);
    expect(count(feb.population, 'numerator')).toBe(5);
  });

  it('a date not yet passed is not judged, even if the plan was already reviewed', async () => {
    h.setNow('2026-02-12T12:00:00Z');
    try {
      const g = groupOf((await evaluateMeasure(h.db.versions, 'follow-up-on-time', { first: '2026-02-01', last: '2026-02-28' })).report, 'on-time');
      // On 12 February every February date (the 15th) is still ahead; m's early review counts once its date has passed.
      expect(count(g.population, 'denominator')).toBe(0);
      expect(score(g)).toBeUndefined();
    } finally {
      h.setNow('2026-04-10T12:00:00Z');
    }
  });

  it('counts the plans overdue now: x and o, 10, whatever the period', async () => {
    for (const period of [PERIOD, { first: '2025-01-01', last: '2025-01-31' }]) {
      const g = groupOf((await evaluateMeasure(h.db.versions, 'follow-up-on-time', period)).report, 'overdue-now');
      expect(count(g.population, 'initial-population')).toBe(10);
      expect(score(g)).toBe(10);
      expect(strata(g, 'kind')).toEqual({ sip: 10 });
      expect(g.stratifier?.map((s) => s.code?.[0]?.coding?.[0]?.code)).toEqual(['kind', 'organization', 'municipality']);
    }
  });
});
