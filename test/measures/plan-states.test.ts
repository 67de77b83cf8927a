/**
 * The indicators that judge each active plan as it stood at a month's end:
 * a reachable contact person and a coordinator, a current agreement, a
 * measure the patient performs. Changes after the period (here in March) do
 * not reach back: February is told as it was. Right answers by hand below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateMeasure } from '../../src/measures/index.ts';
import { dropTestDatabase } from '../support/db.ts';
import { count, groupOf, history, plan, score, strata, type History } from './support.ts';

const PERIOD = { first: '2026-01-01', last: '2026-02-28' };
const ids = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `p${from + i}`);
const base = { kind: 'sip', principal: 'Organization/kommun-a', performer: 'Organization/hemtjanst' } as const;
let h: History;

beforeAll(async () => {
  h = await history();
  // p1–p5: everything in place from before the period.
  for (const id of ids(1, 5)) await h.write('2025-12-01T10:00:00Z', plan(id, { ...base, contact: 'reachable', coordinator: true, agreement: 'current', own: true }));
  // p6–p10: a contact person without a way to reach them, a current agreement, no measure of their own.
  for (const id of ids(6, 10)) await h.write('2025-12-01T10:00:00Z', plan(id, { ...base, contact: 'unreachable', coordinator: true, agreement: 'current' }));
  // 5 February: p6–p10 get the contact's phone and a measure of the patient's own; the edit leaves their agreement stale.
  for (const id of ids(6, 10)) await h.write('2026-02-05T09:00:00Z', plan(id, { ...base, contact: 'reachable', coordinator: true, agreement: 'stale', own: true }));
  // p11–p15: new plans on 1 February with none of it.
  for (const id of ids(11, 15)) await h.write('2026-02-01T09:00:00Z', plan(id, base));
  // After the period, p1–p5 lose all three: February must not change.
  for (const id of ids(1, 5)) await h.write('2026-03-05T09:00:00Z', plan(id, { ...base, contact: 'unreachable', agreement: 'stale' }));
  h.setNow('2026-03-10T12:00:00Z');
});
afterAll(() => dropTestDatabase(h.db));

/** numerator/denominator of a group's months. */
function months(g: fhir4.MeasureReportGroup): Record<string, string> {
  const den = strata(g, 'month', 'denominator');
  const num = strata(g, 'month', 'numerator');
  return Object.fromEntries(Object.keys(den).map((m) => [m, `${String(num[m])}/${String(den[m])}`]));
}

describe('plans judged as they stood', () => {
  it('contact person: January 5 of 10 reachable, February 10 of 15; with a coordinator the same', async () => {
    const { report } = await evaluateMeasure(h.db.versions, 'contact-person', PERIOD);
    for (const code of ['contact-person', 'contact-and-coordinator']) {
      const g = groupOf(report, code);
      expect(months(g), code).toEqual({ '2026-01': '5/10', '2026-02': '10/15' });
      expect(count(g.population, 'denominator')).toBe(15);
      expect(count(g.population, 'numerator')).toBe(10);
      expect(score(g)).toBeCloseTo(10 / 15, 4);
    }
  });

  it('a contact person without a way to reach them is not a reachable contact, but a coordinator alone is not enough either', async () => {
    await h.write('2026-03-20T09:00:00Z', plan('q1', base));
    h.setNow('2026-03-20T09:01:00Z');
    const { report } = await evaluateMeasure(h.db.versions, 'contact-person', { first: '2026-03-01', last: '2026-03-31' });
    // Now 20 March: p1–p5 unreachable (with no coordinator), p6–p10 reachable with one, p11–p15 and q1 none: 5 of 16.
    expect(count(groupOf(report, 'contact-person').population, 'numerator')).toBe(5);
    expect(count(groupOf(report, 'contact-and-coordinator').population, 'numerator')).toBe(5);
    expect(count(groupOf(report, 'contact-person').population, 'denominator')).toBe(16);
    await h.remove('2026-03-20T09:30:00Z', 'q1');
    h.setNow('2026-03-10T12:00:00Z');
  });

  it('current agreement: January 10 of 10, February 5 of 15 (stale and missing do not count)', async () => {
    const g = groupOf((await evaluateMeasure(h.db.versions, 'agreement-current', PERIOD)).report, 'agreement-current');
    expect(months(g)).toEqual({ '2026-01': '10/10', '2026-02': '5/15' });
    expect(score(g)).toBeCloseTo(5 / 15, 4);
    expect(strata(g, 'kind', 'numerator')).toEqual({ sip: 5 });
  });

  it('a measure the patient performs: January 5 of 10, February 10 of 15', async () => {
    const g = groupOf((await evaluateMeasure(h.db.versions, 'patient-own-measure', PERIOD)).report, 'own-measure');
    expect(months(g)).toEqual({ '2026-01': '5/10', '2026-02': '10/15' });
    expect(strata(g, 'organization', 'denominator')).toEqual({ 'Organization/hemtjanst': 15, 'Organization/kommun-a': 15 });
  });

  it('a period of one month in the past is told as that month ended', async () => {
    const g = groupOf((await evaluateMeasure(h.db.versions, 'agreement-current', { first: '2026-01-01', last: '2026-01-31' })).report, 'agreement-current');
    expect(count(g.population, 'numerator')).toBe(10);
    expect(count(g.population, 'denominator')).toBe(10);
    expect(score(g)).toBe(1);
  });
});
