/**
 * Requests for indicators of the same period and filter that arrive together
 * (the committee's page asks for all six at once) share one pass over the
 * versions, and each gets the report it would have got alone. A request after
 * that pass finished starts its own, and sees what was written since.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateMeasure, measureIds } from '../../src/measures/index.ts';
import { dropTestDatabase } from '../support/db.ts';
import { count, groupOf, history, plan, type History } from './support.ts';

const PERIOD = { first: '2026-01-01', last: '2026-03-31' };
let h: History;
const sip = { kind: 'sip', principal: 'Organization/kommun-a', performer: 'Organization/bup', contact: 'reachable', coordinator: true } as const;

beforeAll(async () => {
  h = await history();
  // p1–p6 active from January, p7–p12 from February.
  for (let i = 1; i <= 6; i++) await h.write('2026-01-05T10:00:00Z', plan(`p${i}`, sip));
  for (let i = 7; i <= 12; i++) await h.write('2026-02-05T10:00:00Z', plan(`p${i}`, sip));
  h.setNow('2026-04-10T10:00:00Z');
});
afterAll(() => dropTestDatabase(h.db));

const withoutDate = (r: fhir4.MeasureReport): fhir4.MeasureReport => ({ ...r, date: '' });

describe('one pass for requests that come together', () => {
  it('six indicators asked at once share one pass, and each report equals the one asked alone', async () => {
    const together = await Promise.all(measureIds().map((id) => evaluateMeasure(h.db.versions, id, PERIOD)));
    expect(new Set(together.map((e) => e.figures)).size).toBe(1);
    for (const [i, id] of measureIds().entries()) {
      const alone = await evaluateMeasure(h.db.versions, id, PERIOD);
      expect(alone.figures).not.toBe(together[i]!.figures);
      expect(withoutDate(together[i]!.report)).toEqual(withoutDate(alone.report));
    }
    expect(count(groupOf(together[0]!.report, 'active-plans').population, 'initial-population')).toBe(12);
  });

  it('a different filter or period is a pass of its own', async () => {
    const [all, sipOnly, january] = await Promise.all([
      evaluateMeasure(h.db.versions, 'active-plans', PERIOD),
      evaluateMeasure(h.db.versions, 'active-plans', PERIOD, { kind: 'patientkontrakt' }),
      evaluateMeasure(h.db.versions, 'active-plans', { first: '2026-01-01', last: '2026-01-31' }),
    ]);
    expect(new Set([all.figures, sipOnly.figures, january.figures]).size).toBe(3);
    expect(count(groupOf(all.report, 'active-plans').population, 'initial-population')).toBe(12);
    expect(count(groupOf(sipOnly.report, 'active-plans').population, 'initial-population')).toBe(0);
    expect(count(groupOf(january.report, 'active-plans').population, 'initial-population')).toBe(6);
  });

  it('a request after a pass finished sees what was written since', async () => {
    const before = await evaluateMeasure(h.db.versions, 'active-plans', PERIOD);
    expect(count(groupOf(before.report, 'active-plans').population, 'initial-population')).toBe(12);
    await h.write('2026-03-01T10:00:00Z', plan('p1', { ...sip, status: 'completed' }));
    h.setNow('2026-04-10T10:00:00Z');
    const after = await evaluateMeasure(h.db.versions, 'active-plans', PERIOD);
    expect(count(groupOf(after.report, 'active-plans').population, 'initial-population')).toBe(11);
  });
});
