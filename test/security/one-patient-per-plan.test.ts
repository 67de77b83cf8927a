/**
 * Issue 9, door 2, from the attacker's side over HTTP: a plan about one
 * patient filed under another patient's team, a plan moved to another patient
 * by a JSON Patch of `subject`, and older versions of a plan that was moved
 * before this rule existed. Refusals are 422 and leave the stored plan as it
 * was; the right way (entered-in-error, then a new plan) works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { expectOutcome, json, participant, planFor, teamFor } from './support.ts';

const entry = (who: string, code: 'coordinator' | 'member'): fhir4.CareTeamParticipant => participant(who, code, 'Organization/opp-org');
const A = 'Patient/opp-a';
const B = 'Patient/opp-b';

let s: TestServer;
let nurse: string; // on both patients' teams
let patientA: string;
let patientB: string;

beforeAll(async () => {
  s = await startTestServer();
  nurse = await s.token({ kind: 'practitioner', fhirUser: 'Practitioner/opp-nurse' });
  patientA = await s.token({ kind: 'patient', fhirUser: A });
  patientB = await s.token({ kind: 'patient', fhirUser: B });
  await s.seed(teamFor('opp-team-a', A, [entry('Practitioner/opp-nurse', 'coordinator')]));
  await s.seed(teamFor('opp-team-b', B, [entry('Practitioner/opp-nurse', 'coordinator')]));
  await s.seed(planFor('opp-plan-b', B, 'CareTeam/opp-team-b', { description: 'B:s hemliga plan' }));
  await s.seed({ resourceType: 'Goal', id: 'opp-goal-b', lifecycleStatus: 'active', description: { text: 'B:s mål' }, subject: { reference: B } });
});
afterAll(() => s?.close());

const versionOf = async (path: string): Promise<string | undefined> => (await json<fhir4.Resource>(await s.request(path))).meta?.versionId;

describe('a plan and its team are about the same patient', () => {
  it("refuses a plan about A filed under B's team (422), and stores nothing", async () => {
    const { id: _id, ...plan } = planFor('x', A, 'CareTeam/opp-team-b');
    const res = await s.request('/fhir/CarePlan', { method: 'POST', json: plan, auth: nurse });
    expect(res.status).toBe(422);
    const oo = await expectOutcome(res);
    expect(oo.issue[0]!.expression).toEqual(['CarePlan.careTeam[0]']);
    expect(oo.issue[0]!.diagnostics).toMatch(/another patient/);
    const found = await json<fhir4.Bundle>(await s.request(`/fhir/CarePlan?patient=${A}&_summary=count`));
    expect(found.total).toBe(0);
  });

  it("refuses a plan that addresses another patient's goal, also from a system client", async () => {
    const { id: _id, ...plan } = planFor('x', A, 'CareTeam/opp-team-a', { goal: [{ reference: 'Goal/opp-goal-b' }] });
    const res = await s.request('/fhir/CarePlan', { method: 'POST', json: plan });
    expect(res.status).toBe(422);
    expect((await expectOutcome(res)).issue[0]!.expression).toEqual(['CarePlan.goal[0]']);
  });

  it('accepts the plan under the right team', async () => {
    const { id: _id, ...plan } = planFor('x', A, 'CareTeam/opp-team-a');
    expect((await s.request('/fhir/CarePlan', { method: 'POST', json: plan, auth: nurse })).status).toBe(201);
  });
});

describe('a plan does not move to another patient', () => {
  it('refuses a JSON Patch of subject (422), and the plan stays as it was', async () => {
    const before = await versionOf('/fhir/CarePlan/opp-plan-b');
    const res = await s.request('/fhir/CarePlan/opp-plan-b', {
      method: 'PATCH', auth: nurse, headers: { 'Content-Type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'replace', path: '/subject/reference', value: A }, { op: 'replace', path: '/careTeam/0/reference', value: 'CareTeam/opp-team-a' }, { op: 'replace', path: '/activity/2/detail/performer/0/reference', value: A }]),
    });
    expect(res.status).toBe(422);
    const oo = await expectOutcome(res);
    expect(oo.issue[0]!.expression).toEqual(['CarePlan.subject']);
    expect(oo.issue[0]!.diagnostics).toMatch(/entered-in-error/);
    expect(await versionOf('/fhir/CarePlan/opp-plan-b')).toBe(before);
    expect((await s.request('/fhir/CarePlan/opp-plan-b', { auth: patientA })).status).toBe(404);
  });

  it('refuses the move by PUT from a system client too', async () => {
    const plan = await json<fhir4.CarePlan>(await s.request('/fhir/CarePlan/opp-plan-b'));
    const res = await s.request('/fhir/CarePlan/opp-plan-b', { method: 'PUT', json: { ...plan, subject: { reference: A }, careTeam: [{ reference: 'CareTeam/opp-team-a' }] } });
    expect(res.status).toBe(422);
  });

  it("refuses moving a team or a goal to another patient", async () => {
    const team = await json<fhir4.CareTeam>(await s.request('/fhir/CareTeam/opp-team-b'));
    expect((await s.request('/fhir/CareTeam/opp-team-b', { method: 'PUT', json: { ...team, subject: { reference: A } } })).status).toBe(422);
    const goal = await json<fhir4.Goal>(await s.request('/fhir/Goal/opp-goal-b'));
    expect((await s.request('/fhir/Goal/opp-goal-b', { method: 'PUT', json: { ...goal, subject: { reference: A } }, auth: nurse })).status).toBe(422);
  });

  it('a plan made for the wrong patient is marked entered-in-error', async () => {
    const { id: _id, ...wrong } = planFor('x', A, 'CareTeam/opp-team-a');
    const created = await s.request('/fhir/CarePlan', { method: 'POST', json: wrong, auth: nurse });
    const plan = await json<fhir4.CarePlan>(created);
    const res = await s.request(`/fhir/CarePlan/${plan.id}`, { method: 'PUT', json: { ...plan, status: 'entered-in-error' }, auth: nurse });
    expect(res.status).toBe(200);
  });
});

describe('older versions are judged like the current one', () => {
  it("a plan moved before the rule existed shows A none of B's versions", async () => {
    // Written past the rules, as data from before them would be: v1 about B, v2 moved to A.
    await s.seed(planFor('opp-moved', B, 'CareTeam/opp-team-b', { description: 'B:s gamla plan' }));
    await s.seed(planFor('opp-moved', A, 'CareTeam/opp-team-a', { description: 'Nu A:s' }));
    expect((await s.request('/fhir/CarePlan/opp-moved', { auth: patientA })).status).toBe(200);
    const v1 = await s.request('/fhir/CarePlan/opp-moved/_history/1', { auth: patientA });
    expect(v1.status).toBe(404);
    expect(await v1.text()).not.toContain('B:s gamla plan');
    const history = await json<fhir4.Bundle>(await s.request('/fhir/CarePlan/opp-moved/_history', { auth: patientA }));
    expect(history.entry?.map((e) => e.resource?.meta?.versionId)).toEqual(['2']);
    expect(JSON.stringify(history)).not.toContain('B:s gamla plan');
    const typeHistory = await json<fhir4.Bundle>(await s.request('/fhir/CarePlan/_history?_count=100', { auth: patientA }));
    expect(JSON.stringify(typeHistory)).not.toContain('B:s');
  });

  it('B, whose plan it was, no longer sees it, and the system client sees every version', async () => {
    expect((await s.request('/fhir/CarePlan/opp-moved/_history/1', { auth: patientB })).status).toBe(404);
    expect((await s.request('/fhir/CarePlan/opp-moved/_history/1')).status).toBe(200);
    const all = await json<fhir4.Bundle>(await s.request('/fhir/CarePlan/opp-moved/_history'));
    expect(all.entry?.length).toBe(2);
  });
});
