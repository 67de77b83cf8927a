/** Search parameters, modifiers, prefixes, sorting and _include (https://hl7.org/fhir/R4/search.html). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carePlan, careTeam } from './fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
const KIND = 'https://region.example/plan-category';

/** Seeded past the plan rules: these tests are about search, and need plans in every status. */
async function put(_type: string, resource: fhir4.FhirResource): Promise<void> {
  await s.seed(resource as fhir4.FhirResource & { id: string });
}

async function ids(query: string, init?: RequestInit): Promise<string[]> {
  const res = await s.request(`/fhir/${query}`, init);
  expect(res.status).toBe(200);
  const b = (await res.json()) as fhir4.Bundle;
  return (b.entry ?? []).filter((e) => e.search?.mode !== 'outcome').map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort();
}

beforeAll(async () => {
  s = await startTestServer();
  await put('CareTeam', careTeam({ id: 'team-a', subject: { reference: 'Patient/anna' } }));
  await put('CareTeam', careTeam({ id: 'team-b', status: 'inactive', subject: { reference: 'Patient/bertil' }, participant: [{ member: { reference: 'Practitioner/gp-b' }, role: [{ coding: [{ system: 'https://samplan.org/fhir/CodeSystem/samplan-careteam-role', code: 'member' }] }] }] }));
  await put('Goal', { resourceType: 'Goal', id: 'goal-a', lifecycleStatus: 'active', description: { text: 'Bo kvar hemma' }, subject: { reference: 'Patient/anna' } });
  await put('Goal', { resourceType: 'Goal', id: 'goal-b', lifecycleStatus: 'completed', description: { text: 'Klara trappan' }, subject: { reference: 'Patient/bertil' } });
  await put('CarePlan', carePlan({ id: 'plan-a1', status: 'active', category: [{ coding: [{ system: KIND, code: 'sip' }] }], subject: { reference: 'Patient/anna' }, careTeam: [{ reference: 'CareTeam/team-a' }], goal: [{ reference: 'Goal/goal-a' }], period: { start: '2024-01-01', end: '2024-06-30' }, identifier: [{ system: 'urn:sys', value: 'A1' }] }));
  await put('CarePlan', carePlan({ id: 'plan-a2', status: 'draft', subject: { reference: 'Patient/anna' }, careTeam: [{ reference: 'CareTeam/team-a' }], category: [{ coding: [{ system: KIND, code: 'patientkontrakt' }] }], period: { start: '2024-07-01' }, identifier: [{ system: 'urn:sys', value: 'A2' }] }));
  await put('CarePlan', carePlan({ id: 'plan-b1', status: 'completed', subject: { reference: 'Patient/bertil' }, careTeam: [{ reference: 'CareTeam/team-b' }], goal: [{ reference: 'Goal/goal-b' }], category: [{ coding: [{ system: 'http://other', code: 'sip' }] }], period: { start: '2023-01-01', end: '2023-12-31' }, identifier: [{ system: 'urn:other', value: 'A1' }] }));
}, 60_000);
afterAll(() => s.close());

describe('CarePlan search parameters', () => {
  it('patient and subject', async () => {
    expect(await ids('CarePlan?patient=anna')).toEqual(['CarePlan/plan-a1', 'CarePlan/plan-a2']);
    expect(await ids('CarePlan?patient=Patient/bertil')).toEqual(['CarePlan/plan-b1']);
    expect(await ids('CarePlan?subject=Patient/anna')).toEqual(['CarePlan/plan-a1', 'CarePlan/plan-a2']);
    expect(await ids('CarePlan?subject:Patient=anna')).toEqual(['CarePlan/plan-a1', 'CarePlan/plan-a2']);
    expect(await ids(`CarePlan?patient=${encodeURIComponent(`${'http://elsewhere/fhir/'}Patient/anna`)}`)).toEqual([]);
  });

  it('status, with OR by comma and :not', async () => {
    expect(await ids('CarePlan?status=active')).toEqual(['CarePlan/plan-a1']);
    expect(await ids('CarePlan?status=active,completed')).toEqual(['CarePlan/plan-a1', 'CarePlan/plan-b1']);
    expect(await ids('CarePlan?status:not=draft')).toEqual(['CarePlan/plan-a1', 'CarePlan/plan-b1']);
  });

  it('category by code, by system|code, by system|', async () => {
    expect(await ids('CarePlan?category=sip')).toEqual(['CarePlan/plan-a1', 'CarePlan/plan-b1']);
    expect(await ids(`CarePlan?category=${encodeURIComponent(`${KIND}|sip`)}`)).toEqual(['CarePlan/plan-a1']);
    expect(await ids(`CarePlan?category=${encodeURIComponent(`${KIND}|`)}`)).toEqual(['CarePlan/plan-a1', 'CarePlan/plan-a2']);
  });

  it('identifier, with and without system', async () => {
    expect(await ids('CarePlan?identifier=A1')).toEqual(['CarePlan/plan-a1', 'CarePlan/plan-b1']);
    expect(await ids(`CarePlan?identifier=${encodeURIComponent('urn:sys|A1')}`)).toEqual(['CarePlan/plan-a1']);
  });

  it('care-team, _id, and AND across parameters', async () => {
    expect(await ids('CarePlan?care-team=team-a')).toEqual(['CarePlan/plan-a1', 'CarePlan/plan-a2']);
    expect(await ids('CarePlan?care-team=CareTeam/team-a&status=draft')).toEqual(['CarePlan/plan-a2']);
    expect(await ids('CarePlan?_id=plan-a1,plan-b1')).toEqual(['CarePlan/plan-a1', 'CarePlan/plan-b1']);
  });

  it('date against the plan period, with prefixes', async () => {
    expect(await ids('CarePlan?date=2024-03')).toEqual([]); // eq: the period must lie within March
    expect(await ids('CarePlan?date=ge2024-03-01')).toEqual(['CarePlan/plan-a1', 'CarePlan/plan-a2']);
    expect(await ids('CarePlan?date=lt2024-01-01')).toEqual(['CarePlan/plan-b1']);
    expect(await ids('CarePlan?date=le2024-01-01')).toEqual(['CarePlan/plan-a1', 'CarePlan/plan-b1']);
    expect(await ids('CarePlan?date=gt2024-06-30')).toEqual(['CarePlan/plan-a2']);
    expect(await ids('CarePlan?date=sa2024-06-30')).toEqual(['CarePlan/plan-a2']);
    expect(await ids('CarePlan?date=eb2024-01-01')).toEqual(['CarePlan/plan-b1']);
    expect(await ids('CarePlan?date=ge2024-01-01&date=le2024-12-31')).toEqual(['CarePlan/plan-a1', 'CarePlan/plan-a2']);
    expect(await ids('CarePlan?date=2023')).toEqual(['CarePlan/plan-b1']);
  });

  it('_lastUpdated with gt/ge/lt/le/eq', async () => {
    const a1 = (await (await s.request('/fhir/CarePlan/plan-a1')).json()) as fhir4.CarePlan;
    const at = a1.meta!.lastUpdated!;
    expect(await ids(`CarePlan?_id=plan-a1&_lastUpdated=eq${encodeURIComponent(at)}`)).toEqual(['CarePlan/plan-a1']);
    expect(await ids(`CarePlan?_id=plan-a1&_lastUpdated=ge${encodeURIComponent(at)}`)).toEqual(['CarePlan/plan-a1']);
    expect(await ids(`CarePlan?_id=plan-a1&_lastUpdated=gt${encodeURIComponent(at)}`)).toEqual([]);
    expect(await ids(`CarePlan?_id=plan-a1&_lastUpdated=le${encodeURIComponent(at)}`)).toEqual(['CarePlan/plan-a1']);
    expect(await ids(`CarePlan?_id=plan-a1&_lastUpdated=lt${encodeURIComponent(at)}`)).toEqual([]);
    expect(await ids('CarePlan?_lastUpdated=gt2000-01-01')).toHaveLength(3);
    expect(await ids('CarePlan?_lastUpdated=lt2000-01-01')).toEqual([]);
  });

  it('_sort by status, -_lastUpdated and _id', async () => {
    const order = async (q: string): Promise<string[]> => ((await (await s.request(`/fhir/CarePlan?${q}`)).json()) as fhir4.Bundle).entry!.map((e) => e.resource!.id!);
    expect(await order('_sort=_id')).toEqual(['plan-a1', 'plan-a2', 'plan-b1']);
    expect(await order('_sort=-_id')).toEqual(['plan-b1', 'plan-a2', 'plan-a1']);
    expect(await order('_sort=-_lastUpdated')).toEqual(['plan-b1', 'plan-a2', 'plan-a1']);
    expect(await order('_sort=status,_id')).toEqual(['plan-a1', 'plan-b1', 'plan-a2']);
    expect((await s.request('/fhir/CarePlan?_sort=nonsense')).status).toBe(400);
  });

  it('_include=CarePlan:care-team and CarePlan:goal add the referenced resources once', async () => {
    const b = (await (await s.request('/fhir/CarePlan?patient=anna&_include=CarePlan:care-team&_include=CarePlan:goal')).json()) as fhir4.Bundle;
    const matches = b.entry!.filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id).sort();
    const included = b.entry!.filter((e) => e.search?.mode === 'include').map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort();
    expect(matches).toEqual(['plan-a1', 'plan-a2']);
    expect(included).toEqual(['CareTeam/team-a', 'Goal/goal-a']);
    expect(b.total).toBe(2);
    expect((await s.request('/fhir/CarePlan?_include=CarePlan:nothing')).status).toBe(400);
  });

  it('POST _search with a form body gives the same result as GET', async () => {
    expect(await ids('CarePlan/_search', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'patient=anna&status=draft' })).toEqual(['CarePlan/plan-a2']);
  });
});

describe('CareTeam and Goal search', () => {
  it('CareTeam by patient, participant, status', async () => {
    expect(await ids('CareTeam?patient=anna')).toEqual(['CareTeam/team-a']);
    expect(await ids('CareTeam?participant=Practitioner/nurse-anna')).toEqual(['CareTeam/team-a']);
    expect(await ids('CareTeam?participant=Practitioner/gp-b')).toEqual(['CareTeam/team-b']);
    expect(await ids('CareTeam?status=inactive')).toEqual(['CareTeam/team-b']);
  });

  it('Goal by patient and lifecycle-status', async () => {
    expect(await ids('Goal?patient=anna')).toEqual(['Goal/goal-a']);
    expect(await ids('Goal?lifecycle-status=completed')).toEqual(['Goal/goal-b']);
  });
});

describe('bad search input', () => {
  it('refuses an unknown parameter with 400, or ignores it with a warning under Prefer: handling=lenient', async () => {
    const strict = await s.request('/fhir/CarePlan?colour=blue');
    expect(strict.status).toBe(400);
    expect(((await strict.json()) as fhir4.OperationOutcome).issue[0]?.diagnostics).toMatch(/colour/);
    const lenient = await s.request('/fhir/CarePlan?colour=blue&status=active', { headers: { Prefer: 'handling=lenient' } });
    expect(lenient.status).toBe(200);
    const b = (await lenient.json()) as fhir4.Bundle;
    expect(b.entry!.filter((e) => e.search?.mode === 'match')).toHaveLength(1);
    expect(b.entry!.find((e) => e.search?.mode === 'outcome')?.resource).toMatchObject({ resourceType: 'OperationOutcome' });
    expect(b.link?.find((l) => l.relation === 'self')?.url).not.toContain('colour');
  });

  it('refuses malformed dates, modifiers and references', async () => {
    for (const q of ['date=2024-13-01', 'date=ap2024', '_lastUpdated=yesterday', 'status:contains=x', 'subject=anna', 'patient=bad id', 'status=']) {
      const res = await s.request(`/fhir/CarePlan?${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as fhir4.OperationOutcome).resourceType).toBe('OperationOutcome');
    }
  });

  it('treats operator-like values as plain text (no injection)', async () => {
    for (const v of ['{"$ne":null}', '$where', '.*', '^(a+)+$', '[$ne]=1']) {
      expect(await ids(`CarePlan?status=${encodeURIComponent(v)}`), v).toEqual([]);
    }
    expect(await ids('CarePlan?status[$ne]=x', { headers: { Prefer: 'handling=lenient' } })).toHaveLength(3);
  });
});
