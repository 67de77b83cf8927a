/**
 * Measure/active-plans over seeded histories: each plan counted as it stood
 * at each month's end (not as it is today), by kind, organisation, principal
 * and month; the kind and reporter filters. The right answers are worked out
 * by hand in the comments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateMeasure } from '../../src/measures/index.ts';
import { dropTestDatabase } from '../support/db.ts';
import { groupOf, history, plan, score, strata, count, type History } from './support.ts';

const PERIOD = { first: '2026-01-01', last: '2026-03-31' };
let h: History;
const sip = { kind: 'sip', principal: 'Organization/kommun-a', performer: 'Organization/bup' } as const;
const range = (p: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${p}${i + 1}`);

beforeAll(async () => {
  h = await history();
  // s1–s8: active SIPs from before the period. s8 is deleted in March; s1 and s2 change after the period.
  for (const id of range('s', 8)) await h.write('2025-12-01T10:00:00Z', plan(id, sip));
  await h.remove('2026-03-10T10:00:00Z', 's8');
  await h.write('2026-04-02T10:00:00Z', plan('s2', { ...sip, status: 'completed' }));
  await h.write('2026-04-05T10:00:00Z', plan('s1', { ...sip, review: '2026-06-01' }));
  // k1–k6: patientkontrakt made active on 10 February.
  for (const id of range('k', 6)) await h.write('2026-02-10T10:00:00Z', plan(id, { kind: 'patientkontrakt', principal: 'Organization/region', performer: 'Organization/vc' }));
  // i1–i6: individuell plan, active from before, completed on 5 March.
  for (const id of range('i', 6)) await h.write('2025-12-01T10:00:00Z', plan(id, { kind: 'individuell-plan', principal: 'Organization/kommun-b', performer: 'Organization/fact' }));
  for (const id of range('i', 6)) await h.write('2026-03-05T10:00:00Z', plan(id, { kind: 'individuell-plan', status: 'completed', principal: 'Organization/kommun-b', performer: 'Organization/fact' }));
  // d1–d5: SIP drafts from before, made active on 20 March.
  for (const id of range('d', 5)) await h.write('2025-12-01T10:00:00Z', plan(id, { ...sip, status: 'draft' }));
  for (const id of range('d', 5)) await h.write('2026-03-20T10:00:00Z', plan(id, sip));
  // A draft that never became active counts nowhere.
  await h.write('2026-01-15T10:00:00Z', plan('never', { ...sip, status: 'draft' }));
  h.setNow('2026-04-10T10:00:00Z');
});
afterAll(() => dropTestDatabase(h.db));

describe('active plans', () => {
  it('counts each month as the plans stood at its end, and the period as at its end', async () => {
    const { report } = await evaluateMeasure(h.db.versions, 'active-plans', PERIOD);
    expect(report).toMatchObject({ resourceType: 'MeasureReport', status: 'complete', type: 'summary', measure: 'https://samplan.org/fhir/Measure/active-plans|1.0.0', period: { start: '2026-01-01', end: '2026-03-31' } });
    const g = groupOf(report, 'active-plans');
    // January: s1–s8 and i1–i6. February: and k1–k6. March: s1–s7 (s8 deleted), k1–k6, d1–d5 (i completed).
    expect(strata(g, 'month')).toEqual({ '2026-01': 14, '2026-02': 20, '2026-03': 18 });
    expect(count(g.population, 'initial-population')).toBe(18);
    expect(score(g)).toBe(18);
  });

  it('gives the plans at the period’s end by kind, organisation and principal, with the organisations’ names', async () => {
    const g = groupOf((await evaluateMeasure(h.db.versions, 'active-plans', PERIOD)).report, 'active-plans');
    expect(strata(g, 'kind')).toEqual({ sip: 12, patientkontrakt: 6 });
    expect(strata(g, 'organization')).toEqual({ 'Organization/bup': 12, 'Organization/kommun-a': 12, 'Organization/region': 6, 'Organization/vc': 6 });
    expect(strata(g, 'municipality')).toEqual({ 'Organization/kommun-a': 12, 'Organization/region': 6 });
    const org = g.stratifier?.find((s) => s.code?.[0]?.coding?.[0]?.code === 'organization')?.stratum?.[0];
    expect(org?.value).toEqual({ coding: [{ code: 'Organization/bup', display: 'Name of Organization/bup' }], text: 'Name of Organization/bup' });
  });

  it('names no patient anywhere in the report', async () => {
    const { report } = await evaluateMeasure(h.db.versions, 'active-plans', PERIOD);
    expect(JSON.stringify(report)).not.toMatch(/Patient\/|CarePlan\//);
  });

  it('filters by kind and by responsible organisation (reporter)', async () => {
    const bySip = groupOf((await evaluateMeasure(h.db.versions, 'active-plans', PERIOD, { kind: 'sip' })).report, 'active-plans');
    expect(strata(bySip, 'month')).toEqual({ '2026-01': 8, '2026-02': 8, '2026-03': 12 });
    const ip = groupOf((await evaluateMeasure(h.db.versions, 'active-plans', PERIOD, { kind: 'individuell-plan' })).report, 'active-plans');
    expect(strata(ip, 'month')).toEqual({ '2026-01': 6, '2026-02': 6, '2026-03': 0 });
    expect(count(ip.population, 'initial-population')).toBe(0);
    const vc = await evaluateMeasure(h.db.versions, 'active-plans', PERIOD, { reporter: 'Organization/vc' });
    expect(strata(groupOf(vc.report, 'active-plans'), 'month')).toEqual({ '2026-01': 0, '2026-02': 6, '2026-03': 6 });
    expect(vc.report.reporter).toEqual({ reference: 'Organization/vc', type: 'Organization' });
  });

  it('reads the plans unchanged since the period began from the projection, and only the versions written since', async () => {
    const { figures } = await evaluateMeasure(h.db.versions, 'active-plans', PERIOD);
    // Unchanged and active: s3–s7. Versions since 1 January: s8's deletion, s2, s1, k×6, i×6, d×5, never.
    expect(figures).toEqual({ unchanged: 5, versions: 21, before: 14 });
  });
});
