/**
 * No personal data in a report: a count of 1–4 in any cell is masked (with
 * the data-absent-reason extension), so is a cell whose complement is 1–4,
 * and when exactly one stratum of a stratifier is masked the next smallest
 * is masked too, so the total cannot give it away. A masked total masks all.
 *
 * The plans (one month, all active): SIP 20 (15 with a reachable contact),
 * patientkontrakt 3 (all reachable), individuell plan 7 (5 reachable).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateMeasure } from '../../src/measures/index.ts';
import { dropTestDatabase } from '../support/db.ts';
import { count, groupOf, history, plan, score, strata, type History } from './support.ts';

const PERIOD = { first: '2026-01-01', last: '2026-01-31' };
const DAR = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';
let h: History;

beforeAll(async () => {
  h = await history();
  const at = '2025-12-01T10:00:00Z';
  for (let i = 1; i <= 20; i++) await h.write(at, plan(`s${i}`, { kind: 'sip', principal: 'Organization/kommun-a', performer: 'Organization/hemtjanst', ...(i <= 15 ? { contact: 'reachable' as const } : {}) }));
  for (let i = 1; i <= 3; i++) await h.write(at, plan(`k${i}`, { kind: 'patientkontrakt', principal: 'Organization/region', performer: 'Organization/psykiatri', contact: 'reachable' }));
  for (let i = 1; i <= 7; i++) await h.write(at, plan(`i${i}`, { kind: 'individuell-plan', principal: 'Organization/kommun-b', performer: 'Organization/nav', ...(i <= 5 ? { contact: 'reachable' as const } : {}) }));
  h.setNow('2026-02-10T12:00:00Z');
});
afterAll(() => dropTestDatabase(h.db));

describe('small cells are masked', () => {
  it('a stratum of 3 is masked, and the next smallest with it, so 30 − 20 does not tell it', async () => {
    const g = groupOf((await evaluateMeasure(h.db.versions, 'active-plans', PERIOD)).report, 'active-plans');
    expect(count(g.population, 'initial-population')).toBe(30);
    expect(strata(g, 'kind')).toEqual({ sip: 20, patientkontrakt: 'masked', 'individuell-plan': 'masked' });
    // Principals: region 3 masked, kommun-b 7 masked with it.
    expect(strata(g, 'municipality')).toEqual({ 'Organization/kommun-a': 20, 'Organization/region': 'masked', 'Organization/kommun-b': 'masked' });
    // Two organisations masked already: nothing more is needed.
    expect(strata(g, 'organization')).toEqual({
      'Organization/hemtjanst': 20,
      'Organization/kommun-a': 20,
      'Organization/kommun-b': 7,
      'Organization/nav': 7,
      'Organization/psykiatri': 'masked',
      'Organization/region': 'masked',
    });
  });

  it('a masked cell carries data-absent-reason "masked" on its counts and its score, and no number', async () => {
    const g = groupOf((await evaluateMeasure(h.db.versions, 'active-plans', PERIOD)).report, 'active-plans');
    const kind = g.stratifier?.find((s) => s.code?.[0]?.coding?.[0]?.code === 'kind');
    const masked = kind?.stratum?.find((s) => s.value?.coding?.[0]?.code === 'patientkontrakt');
    expect(masked?.population?.[0]).toEqual({ code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/measure-population', code: 'initial-population' }] }, _count: { extension: [{ url: DAR, valueCode: 'masked' }] } });
    expect(masked?.measureScore).toEqual({ extension: [{ url: DAR, valueCode: 'masked' }] });
    expect(JSON.stringify([masked?.population, masked?.measureScore])).not.toMatch(/"(count|value)":/);
  });

  it('a proportion masks a stratum whose numerator or complement is small: 5 of 7 leaves 2 without', async () => {
    const g = groupOf((await evaluateMeasure(h.db.versions, 'contact-person', PERIOD)).report, 'contact-person');
    // Total 30, 23 reachable, 7 not: shown.
    expect(count(g.population, 'denominator')).toBe(30);
    expect(count(g.population, 'numerator')).toBe(23);
    // SIP 15 of 20 (5 without): shown. patientkontrakt 3 of 3: masked. individuell plan 5 of 7: masked for its 2.
    expect(strata(g, 'kind', 'numerator')).toEqual({ sip: 15, patientkontrakt: 'masked', 'individuell-plan': 'masked' });
    expect(strata(g, 'kind', 'denominator')).toEqual({ sip: 20, patientkontrakt: 'masked', 'individuell-plan': 'masked' });
    expect(score(g.stratifier!.find((s) => s.code?.[0]?.coding?.[0]?.code === 'kind')!.stratum!.find((s) => s.value?.coding?.[0]?.code === 'sip')!)).toBe(0.75);
  });

  it('when the total is small, everything is masked', async () => {
    const { report } = await evaluateMeasure(h.db.versions, 'contact-person', PERIOD, { kind: 'individuell-plan' });
    const g = groupOf(report, 'contact-person');
    expect(count(g.population, 'denominator')).toBe('masked');
    expect(score(g)).toBe('masked');
    for (const s of g.stratifier ?? []) for (const st of s.stratum ?? []) expect(count(st.population, 'denominator'), JSON.stringify(st.value)).toBe('masked');
    const pk = groupOf((await evaluateMeasure(h.db.versions, 'active-plans', PERIOD, { kind: 'patientkontrakt' })).report, 'active-plans');
    expect(count(pk.population, 'initial-population')).toBe('masked');
    expect(strata(pk, 'month')).toEqual({ '2026-01': 'masked' });
  });

  it('zero is shown: it is about nobody', async () => {
    const g = groupOf((await evaluateMeasure(h.db.versions, 'agreement-current', PERIOD, { kind: 'sip' })).report, 'agreement-current');
    expect(count(g.population, 'denominator')).toBe(20);
    expect(count(g.population, 'numerator')).toBe(0);
    expect(score(g)).toBe(0);
  });
});
