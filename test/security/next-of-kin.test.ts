/**
 * Next of kin (the patient-page issue): a RelatedPerson signed in as themself
 * reads the plans of the patient their record names while a CareTeam of that
 * patient lists them as an active participant, and may agree on the patient's
 * behalf only with a stated reason. Everything else is refused, over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { expectOutcome, json, planFor, teamFor } from './support.ts';

let s: TestServer;
const P1 = 'Patient/nk-p1';
const P2 = 'Patient/nk-p2';
const tokens: Record<'listed' | 'ended' | 'unlisted' | 'selfMade' | 'onlyOtherTeam', string> = { listed: '', ended: '', unlisted: '', selfMade: '', onlyOtherTeam: '' };

const kin = (id: string, patient: string): fhir4.RelatedPerson & { id: string } => ({ resourceType: 'RelatedPerson', id, patient: { reference: patient }, name: [{ family: `Anhörig ${id}` }] });
const goal = (id: string, patient: string): fhir4.Goal & { id: string } => ({ resourceType: 'Goal', id, lifecycleStatus: 'active', description: { text: `Goal ${id}` }, subject: { reference: patient } });

beforeAll(async () => {
  s = await startTestServer();
  await s.seed({ resourceType: 'Patient', id: 'nk-p1', name: [{ family: 'Ett' }] });
  await s.seed({ resourceType: 'Patient', id: 'nk-p2', name: [{ family: 'Två' }] });
  for (const id of ['kin-listed', 'kin-ended', 'kin-unlisted', 'kin-other-team']) await s.seed(kin(id, P1));
  // A RelatedPerson record someone wrote about themself (not the directory feed): it names P1, and is on P1's team.
  await s.db.versions.write({ type: 'RelatedPerson', id: 'kin-self-made', resource: kin('kin-self-made', P1), expect: 0, writtenBy: 'practitioner' });

  await s.seed(teamFor('nk-team', P1, [
    { member: { reference: 'Practitioner/nk-doc' } },
    { member: { reference: 'RelatedPerson/kin-listed' }, period: { start: '2024-01-01' } },
    { member: { reference: 'RelatedPerson/kin-ended' }, period: { start: '2020-01-01', end: '2021-01-01' } },
    { member: { reference: 'RelatedPerson/kin-self-made' } },
  ]));
  // A second team of P1 that lists only kin-other-team: its plan is not kin-listed's to read.
  await s.seed(teamFor('nk-team-b', P1, [{ member: { reference: 'RelatedPerson/kin-other-team' } }]));
  await s.seed(teamFor('nk-team-p2', P2, [{ member: { reference: 'RelatedPerson/kin-listed' } }]));
  await s.seed(planFor('nk-plan', P1, 'CareTeam/nk-team'));
  await s.seed(planFor('nk-plan-agree', P1, 'CareTeam/nk-team'));
  await s.seed(planFor('nk-plan-b', P1, 'CareTeam/nk-team-b'));
  await s.seed(planFor('nk-plan-p2', P2, 'CareTeam/nk-team-p2'));
  await s.seed(goal('nk-goal', P1));
  await s.seed(goal('nk-goal-p2', P2));

  const t = (id: string): Promise<string> => s.token({ kind: 'relatedPerson', fhirUser: `RelatedPerson/${id}` });
  tokens.listed = await t('kin-listed');
  tokens.ended = await t('kin-ended');
  tokens.unlisted = await t('kin-unlisted');
  tokens.selfMade = await t('kin-self-made');
  tokens.onlyOtherTeam = await t('kin-other-team');
});
afterAll(() => s?.close());

const get = (path: string, auth: string): Promise<Response> => s.request(path, { auth });
const ids = async (res: Response): Promise<string[]> => ((await json<fhir4.Bundle>(res)).entry ?? []).map((e) => e.resource!.id!);
const agree = (plan: string, auth: string, parameter: fhir4.ParametersParameter[]): Promise<Response> =>
  s.request(`/fhir/CarePlan/${plan}/$agree`, { method: 'POST', auth, json: { resourceType: 'Parameters', parameter } });

describe('next of kin listed on the patient\'s care team', () => {
  it.each([
    ['their plan', '/fhir/CarePlan/nk-plan'],
    ['the team that lists them', '/fhir/CareTeam/nk-team'],
    ["the patient's goal", '/fhir/Goal/nk-goal'],
    ['the patient', '/fhir/Patient/nk-p1'],
    ['their own RelatedPerson record', '/fhir/RelatedPerson/kin-listed'],
  ])('reads %s', async (_what, path) => {
    const res = await get(path, tokens.listed);
    expect(res.status, await res.clone().text()).toBe(200);
  });

  it('searches find only the plans that name a team listing them, of their patient', async () => {
    expect(await ids(await get('/fhir/CarePlan?_count=50', tokens.listed))).toEqual(expect.arrayContaining(['nk-plan', 'nk-plan-agree']));
    const found = await ids(await get('/fhir/CarePlan?_count=50', tokens.listed));
    expect(found).not.toContain('nk-plan-b');
    expect(found).not.toContain('nk-plan-p2');
    expect(await ids(await get('/fhir/CareTeam?_count=50', tokens.listed))).toEqual(['nk-team']);
    expect(await ids(await get('/fhir/Goal?_count=50', tokens.listed))).toEqual(['nk-goal']);
  });

  it.each([
    ["another patient's plan (a team of that patient lists them, but their record names P1)", '/fhir/CarePlan/nk-plan-p2'],
    ["a plan of the patient whose team does not list them", '/fhir/CarePlan/nk-plan-b'],
    ["another patient's goal", '/fhir/Goal/nk-goal-p2'],
    ['another patient', '/fhir/Patient/nk-p2'],
    ["another relative's record", '/fhir/RelatedPerson/kin-unlisted'],
  ])('reads %s as 404', async (_what, path) => {
    const res = await get(path, tokens.listed);
    expect(res.status).toBe(404);
    await expectOutcome(res);
  });

  it('agrees on the patient\'s behalf with a reason: 200, and the Provenance names them', async () => {
    const res = await agree('nk-plan-agree', tokens.listed, [{ name: 'reason', valueString: 'Patienten har afasi; överenskommelsen gjordes muntligt med mig' }]);
    expect(res.status, await res.clone().text()).toBe(200);
    const prov = await json<fhir4.Bundle>(await get('/fhir/Provenance?target=CarePlan/nk-plan-agree', tokens.listed));
    expect(prov.entry?.length).toBe(1);
    const p = prov.entry![0]!.resource as fhir4.Provenance;
    expect(p.agent[0]!.who!.reference).toBe('RelatedPerson/kin-listed');
    expect(JSON.stringify(p.reason)).toContain('afasi');
  });

  it.each([
    ['no reason', []],
    ['an empty reason', [{ name: 'reason', valueString: '   ' }]],
  ])('refuses to agree with %s (422)', async (_what, parameter) => {
    const res = await agree('nk-plan', tokens.listed, parameter as fhir4.ParametersParameter[]);
    expect(res.status).toBe(422);
    expect((await expectOutcome(res)).issue[0]!.diagnostics).toMatch(/reason/i);
  });

  it('refuses to record that someone else agreed (403)', async () => {
    const res = await agree('nk-plan', tokens.listed, [{ name: 'agent', valueReference: { reference: P1 } }, { name: 'reason', valueString: 'x' }]);
    expect(res.status).toBe(403);
  });

  it('refuses every write, even with write scopes (403)', async () => {
    const wide = await s.token({ kind: 'relatedPerson', fhirUser: 'RelatedPerson/kin-listed', scope: 'patient/*.cruds' });
    const plan = await json<fhir4.CarePlan>(await s.request('/fhir/CarePlan/nk-plan'));
    for (const auth of [tokens.listed, wide]) {
      expect((await s.request('/fhir/CarePlan/nk-plan', { method: 'PUT', auth, json: { ...plan, title: 'Ändrad' } })).status).toBe(403);
      expect((await s.request('/fhir/CarePlan', { method: 'POST', auth, json: { ...plan, id: undefined } })).status).toBe(403);
      expect((await s.request('/fhir/Goal', { method: 'POST', auth, json: { ...goal('x', P1), id: undefined } })).status).toBe(403);
      expect((await s.request('/fhir/CarePlan/nk-plan', { method: 'DELETE', auth })).status).toBe(403);
    }
    expect((await s.request('/fhir/RelatedPerson/kin-listed', { method: 'PUT', auth: wide, json: kin('kin-listed', P2) })).status).toBe(403);
  });

  it('does not accept user/ scopes for next of kin (403)', async () => {
    const user = await s.token({ kind: 'relatedPerson', fhirUser: 'RelatedPerson/kin-listed', scope: 'user/*.cruds' });
    expect((await get('/fhir/CarePlan/nk-plan', user)).status).toBe(403);
  });
});

describe('next of kin without reach', () => {
  it.each([
    ['not listed on any team', 'unlisted'],
    ['listed with a period that ended', 'ended'],
    ['whose RelatedPerson record was not written by a system client', 'selfMade'],
  ] as const)('%s: plan, team, goal and patient read as 404; searches are empty; $agree is 404', async (_what, who) => {
    const auth = tokens[who];
    for (const path of ['/fhir/CarePlan/nk-plan', '/fhir/CareTeam/nk-team', '/fhir/Goal/nk-goal', '/fhir/Patient/nk-p1']) {
      expect((await get(path, auth)).status, path).toBe(404);
    }
    expect(await ids(await get('/fhir/CarePlan', auth))).toEqual([]);
    expect(await ids(await get('/fhir/Goal', auth))).toEqual([]);
    expect((await agree('nk-plan', auth, [{ name: 'reason', valueString: 'x' }])).status).toBe(404);
  });

  it('a relative listed on another team of the patient reads that plan, not this one', async () => {
    expect((await get('/fhir/CarePlan/nk-plan-b', tokens.onlyOtherTeam)).status).toBe(200);
    expect((await get('/fhir/CarePlan/nk-plan', tokens.onlyOtherTeam)).status).toBe(404);
  });

  it('loses reach when the team is closed', async () => {
    await s.seed(teamFor('nk-team-closing', P1, [{ member: { reference: 'RelatedPerson/kin-unlisted' } }]));
    await s.seed(planFor('nk-plan-closing', P1, 'CareTeam/nk-team-closing'));
    expect((await get('/fhir/CarePlan/nk-plan-closing', tokens.unlisted)).status).toBe(200);
    await s.seed(teamFor('nk-team-closing', P1, [{ member: { reference: 'RelatedPerson/kin-unlisted' } }], { status: 'inactive' }));
    expect((await get('/fhir/CarePlan/nk-plan-closing', tokens.unlisted)).status).toBe(404);
  });
});
