/**
 * Issue 9, door 1, from the attacker's side over HTTP: a practitioner with no
 * part in a patient's care makes a CareTeam for that patient with themself as
 * coordinator, then tries to read the patient's goals, record and plans. And
 * the legitimate ways teams come about, which must keep working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { allPages, expectOutcome, json, participant, planFor, teamFor } from './support.ts';

/** A practitioner entry: who, acting for which organisation (the profile wants it), in what role. */
const entry = (who: string, code: 'coordinator' | 'member'): fhir4.CareTeamParticipant => participant(who, code, 'Organization/smt-org');
const P = 'Patient/smt-victim';

let s: TestServer;
let attacker: string;
let coordinator: string;
let member: string;
let colleague: string;
let system: string;

beforeAll(async () => {
  s = await startTestServer();
  attacker = await s.token({ kind: 'practitioner', fhirUser: 'Practitioner/smt-attacker' });
  coordinator = await s.token({ kind: 'practitioner', fhirUser: 'Practitioner/smt-coord' });
  member = await s.token({ kind: 'practitioner', fhirUser: 'Practitioner/smt-member' });
  colleague = await s.token({ kind: 'practitioner', fhirUser: 'Practitioner/smt-colleague' });
  system = await s.token({ kind: 'system' });
  await s.seed({ resourceType: 'Patient', id: 'smt-victim', name: [{ family: 'Offer' }] });
  await s.seed(teamFor('smt-team', P, [
    entry('Practitioner/smt-coord', 'coordinator'),
    entry('Practitioner/smt-member', 'member'),
  ]));
  await s.seed(planFor('smt-plan', P, 'CareTeam/smt-team'));
  await s.seed({ resourceType: 'Goal', id: 'smt-goal', lifecycleStatus: 'active', description: { text: 'Bo kvar hemma' }, subject: { reference: P } });
});
afterAll(() => s?.close());

const newTeam = (members: fhir4.CareTeamParticipant[]): fhir4.CareTeam => {
  const { id: _id, ...team } = teamFor('x', P, members);
  return team;
};

describe('a practitioner outside the care cannot make themself a team', () => {
  it('is refused creating a CareTeam for the patient with themself as coordinator, and nothing is stored', async () => {
    const res = await s.request('/fhir/CareTeam', { method: 'POST', json: newTeam([entry('Practitioner/smt-attacker', 'coordinator')]), auth: attacker });
    expect(res.status).toBe(403);
    expect((await expectOutcome(res)).issue[0]!.diagnostics).toMatch(/first CareTeam for a patient is made by a system client/);
    const teams = await allPages(s, `/fhir/CareTeam?patient=${P}`, system);
    expect(teams.resources.map((t) => t.id)).toEqual(['smt-team']);
  });

  it('is refused in a transaction too, with a plan that names the new team', async () => {
    const bundle: fhir4.Bundle = {
      resourceType: 'Bundle', type: 'transaction', entry: [
        { fullUrl: 'urn:uuid:7e1c7e1c-0000-4000-8000-000000000001', resource: newTeam([entry('Practitioner/smt-attacker', 'coordinator')]), request: { method: 'POST', url: 'CareTeam' } },
        { resource: (({ id: _i, ...p }) => p)(planFor('x', P, 'urn:uuid:7e1c7e1c-0000-4000-8000-000000000001')), request: { method: 'POST', url: 'CarePlan' } },
      ],
    };
    const res = await s.request('/fhir', { method: 'POST', json: bundle, auth: attacker });
    expect(res.status).toBe(403);
    expect((await allPages(s, `/fhir/CarePlan?patient=${P}`, system)).resources.map((p) => p.id)).toEqual(['smt-plan']);
  });

  it('is refused adding themself to the existing team', async () => {
    const team = await json<fhir4.CareTeam>(await s.request('/fhir/CareTeam/smt-team'));
    const res = await s.request('/fhir/CareTeam/smt-team', { method: 'PUT', json: { ...team, participant: [...(team.participant ?? []), entry('Practitioner/smt-attacker', 'coordinator')] }, auth: attacker });
    expect(res.status).toBe(404); // not their team: not even there for them
  });

  it("still reads nothing of the patient: goal, patient record, plans, team", async () => {
    expect((await s.request('/fhir/Goal/smt-goal', { auth: attacker })).status).toBe(404);
    expect((await s.request(`/fhir/${P}`, { auth: attacker })).status).toBe(404);
    expect((await s.request('/fhir/CarePlan/smt-plan', { auth: attacker })).status).toBe(404);
    expect((await s.request('/fhir/CareTeam/smt-team', { auth: attacker })).status).toBe(404);
    expect((await allPages(s, `/fhir/Goal?patient=${P}`, attacker)).resources).toEqual([]);
    expect((await allPages(s, `/fhir/CarePlan?patient=${P}`, attacker)).resources).toEqual([]);
  });
});

describe('a member who is not the coordinator', () => {
  it('cannot add a participant', async () => {
    const team = await json<fhir4.CareTeam>(await s.request('/fhir/CareTeam/smt-team'));
    const res = await s.request('/fhir/CareTeam/smt-team', { method: 'PUT', json: { ...team, participant: [...(team.participant ?? []), entry('Practitioner/smt-attacker', 'member')] }, auth: member });
    expect(res.status).toBe(403);
    expect((await expectOutcome(res)).issue[0]!.diagnostics).toMatch(/Only the team's coordinator/);
    expect((await s.request('/fhir/CarePlan/smt-plan', { auth: attacker })).status).toBe(404);
  });

  it('cannot make themself coordinator by a JSON Patch of their role', async () => {
    const res = await s.request('/fhir/CareTeam/smt-team', {
      method: 'PATCH', auth: member, headers: { 'Content-Type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'replace', path: '/participant/1/role/0/coding/0/code', value: 'coordinator' }]),
    });
    expect(res.status).toBe(403);
  });

  it('cannot delete the team', async () => {
    expect((await s.request('/fhir/CareTeam/smt-team', { method: 'DELETE', auth: member })).status).toBe(403);
    expect((await s.request('/fhir/CareTeam/smt-team')).status).toBe(200);
  });
});

describe('the legitimate paths', () => {
  it('a system client creates the first team for a new patient', async () => {
    const { id: _id, ...team } = teamFor('x', 'Patient/smt-new', [entry('Practitioner/smt-colleague', 'coordinator')]);
    const res = await s.request('/fhir/CareTeam', { method: 'POST', json: team, auth: system });
    expect(res.status).toBe(201);
  });

  it('the coordinator adds a colleague, who then reads the plan, the goal and the patient', async () => {
    expect((await s.request('/fhir/CarePlan/smt-plan', { auth: colleague })).status).toBe(404);
    const team = await json<fhir4.CareTeam>(await s.request('/fhir/CareTeam/smt-team', { auth: coordinator }));
    const res = await s.request('/fhir/CareTeam/smt-team', { method: 'PUT', json: { ...team, participant: [...(team.participant ?? []), entry('Practitioner/smt-colleague', 'member')] }, auth: coordinator });
    expect(res.status).toBe(200);
    expect((await s.request('/fhir/CarePlan/smt-plan', { auth: colleague })).status).toBe(200);
    expect((await s.request('/fhir/Goal/smt-goal', { auth: colleague })).status).toBe(200);
    expect((await s.request(`/fhir/${P}`, { auth: colleague })).status).toBe(200);
  });

  it('a member takes their own entry off the team', async () => {
    const team = await json<fhir4.CareTeam>(await s.request('/fhir/CareTeam/smt-team', { auth: colleague }));
    const mine = (team.participant ?? []).filter((p) => p.member?.reference !== 'Practitioner/smt-colleague');
    expect(mine.length).toBe((team.participant ?? []).length - 1);
    const res = await s.request('/fhir/CareTeam/smt-team', { method: 'PUT', json: { ...team, participant: mine }, auth: colleague });
    expect(res.status).toBe(200);
    expect((await s.request('/fhir/CarePlan/smt-plan', { auth: colleague })).status).toBe(404);
  });

  it('a practitioner who already cares for the patient adds a further team they are on', async () => {
    const res = await s.request('/fhir/CareTeam', { method: 'POST', json: newTeam([entry('Practitioner/smt-member', 'coordinator')]), auth: member });
    expect(res.status).toBe(201);
  });
});
