/**
 * The goal-change follow-ups (a goal edit marks plans' agreements stale) seen
 * from callers who may not see those plans: a practitioner writes goals only
 * for patients of their own teams, a goal written under an id another
 * patient's plan names does not reach that plan, and a race on a plan the
 * caller cannot see neither names it nor fails the write.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementState } from '../../src/plans/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
let planId = '';
let patientRef = '';
let goalId = '';
let outsider = '';

const json = async <T>(res: Response | Promise<Response>): Promise<T> => (await (await res).json()) as T;
const readPlan = (): Promise<fhir4.CarePlan> => json<fhir4.CarePlan>(s.request(`/fhir/CarePlan/${planId}`));

beforeAll(async () => {
  s = await startTestServer();
  const bundle = JSON.parse(readFileSync(new URL('../../fhir-examples/patientkontrakt-skane.bundle.json', import.meta.url), 'utf8')) as fhir4.Bundle;
  const res = await json<fhir4.Bundle>(s.request('/fhir', { method: 'POST', json: bundle }));
  const plan = res.entry!.map((e) => e.resource!).find((r) => r.resourceType === 'CarePlan') as fhir4.CarePlan;
  planId = plan.id!;
  patientRef = plan.subject.reference!;
  goalId = plan.goal![0]!.reference!.split('/')[1]!;
  // A practitioner on a team of another patient only.
  const team: fhir4.CareTeam = {
    resourceType: 'CareTeam', id: 'other-team', status: 'active', subject: { reference: 'Patient/someone-else' },
    participant: [{ member: { reference: 'Practitioner/outsider' }, onBehalfOf: { reference: 'Organization/elsewhere' }, role: [{ coding: [{ system: 'https://samplan.org/fhir/CodeSystem/samplan-careteam-role', code: 'coordinator' }] }] }],
  };
  const t = await s.request('/fhir/CareTeam/other-team', { method: 'PUT', json: team });
  expect(t.status, await t.clone().text()).toBe(201);
  outsider = await s.token({ kind: 'practitioner', fhirUser: 'Practitioner/outsider' });
  const agreed = await s.request(`/fhir/CarePlan/${planId}/$agree`, { method: 'POST', auth: await s.token({ kind: 'patient', fhirUser: patientRef }) });
  expect(agreed.status).toBe(200);
});
afterAll(() => s.close());

describe('a practitioner off the patient\'s teams', () => {
  it("cannot create or change a goal of the patient (the plan stays current)", async () => {
    expect((await s.request(`/fhir/CarePlan/${planId}`, { auth: outsider })).status).toBe(404);
    const goal = await json<fhir4.Goal>(s.request(`/fhir/Goal/${goalId}`));
    const changed = await s.request(`/fhir/Goal/${goalId}`, { method: 'PUT', json: { ...goal, description: { text: 'Ändrat av någon utanför' } }, auth: outsider });
    expect([403, 404]).toContain(changed.status);
    const created = await s.request('/fhir/Goal', { method: 'POST', json: { ...goal, id: undefined, meta: undefined }, auth: outsider });
    expect(created.status).toBe(403);
    expect(agreementState(await readPlan())).toBe('current');
  });

  it("a goal for their own patient, written under an id the other patient's plan names, does not reach that plan", async () => {
    const plan = await readPlan();
    const ghost = 'ghost-goal';
    // The plan names a goal that is not stored (yet).
    const withGhost = { ...plan, goal: [...(plan.goal ?? []), { reference: `Goal/${ghost}` }] };
    expect((await s.request(`/fhir/CarePlan/${planId}`, { method: 'PUT', json: withGhost })).status).toBe(200);
    await s.request(`/fhir/CarePlan/${planId}/$agree`, { method: 'POST', auth: await s.token({ kind: 'patient', fhirUser: patientRef }) });
    const before = await readPlan();
    expect(agreementState(before)).toBe('current');
    const mine: fhir4.Goal = { resourceType: 'Goal', id: ghost, lifecycleStatus: 'active', description: { text: 'Mitt mål' }, subject: { reference: 'Patient/someone-else' } };
    // A person does not choose ids (update-as-create is for system clients): the same 404 as for a record they cannot see.
    const probe = await s.request(`/fhir/Goal/${ghost}`, { method: 'PUT', json: mine, auth: outsider });
    expect(probe.status).toBe(404);
    // An integration that does may write a goal of another patient under that id: the plan is not that goal's patient's.
    expect((await s.request(`/fhir/Goal/${ghost}`, { method: 'PUT', json: mine })).status).toBe(201);
    const changed = await s.request(`/fhir/Goal/${ghost}`, { method: 'PUT', json: { ...mine, description: { text: 'Mitt ändrade mål' } } });
    expect(changed.status).toBe(200);
    const after = await readPlan();
    expect(after.meta?.versionId).toBe(before.meta?.versionId);
    expect(agreementState(after)).toBe('current');
  });
});

describe('a race on a plan the caller cannot see', () => {
  it('is answered without naming the plan, and stores nothing', async () => {
    // A practitioner on a second team of the same patient: may change the patient's goals, cannot see the plan.
    const team: fhir4.CareTeam = {
      resourceType: 'CareTeam', id: 'second-team', status: 'active', subject: { reference: patientRef },
      participant: [{ member: { reference: 'Practitioner/second' }, onBehalfOf: { reference: 'Organization/elsewhere' }, role: [{ coding: [{ system: 'https://samplan.org/fhir/CodeSystem/samplan-careteam-role', code: 'coordinator' }] }] }],
    };
    expect((await s.request('/fhir/CareTeam/second-team', { method: 'PUT', json: team })).status).toBe(201);
    const second = await s.token({ kind: 'practitioner', fhirUser: 'Practitioner/second' });
    expect((await s.request(`/fhir/CarePlan/${planId}`, { auth: second })).status).toBe(404);
    await s.request(`/fhir/CarePlan/${planId}/$agree`, { method: 'POST', auth: await s.token({ kind: 'patient', fhirUser: patientRef }) });
    const plan = await readPlan();
    expect(agreementState(plan)).toBe('current');
    // A transaction in flight holds the plan's next version.
    const next = Number(plan.meta!.versionId) + 1;
    await s.db.models.transactions.db.collection('CarePlan.versions').insertOne({
      _id: `${planId}/_history/${next}` as never, type: 'CarePlan', id: planId, versionId: next, lastUpdated: new Date(), deleted: false, resource: plan, sp: {}, txn: 'in-flight',
    });
    try {
      const goal = await json<fhir4.Goal>(s.request(`/fhir/Goal/${goalId}`));
      const res = await s.request(`/fhir/Goal/${goalId}`, { method: 'PUT', json: { ...goal, description: { text: 'Ändrat medan planen låg låst' } }, auth: second });
      expect([409, 412]).toContain(res.status);
      const body = await res.text();
      expect(body).not.toContain(planId);
      expect(body).toMatch(/try again/i);
      expect((await json<fhir4.Goal>(s.request(`/fhir/Goal/${goalId}`))).description.text).toBe(goal.description.text);
    } finally {
      await s.db.models.transactions.db.collection('CarePlan.versions').deleteOne({ _id: `${planId}/_history/${next}` as never });
    }
  });
});

describe('a plan naming the goal by this server\'s absolute URL', () => {
  it('is marked stale like one naming it relatively', async () => {
    const plan = await readPlan();
    // Only the patient's own goal: the ghost goal above is another patient's, which a plan may not name.
    const absolute = { ...plan, goal: [{ reference: `${s.fhir}/Goal/${goalId}` }] };
    expect((await s.request(`/fhir/CarePlan/${planId}`, { method: 'PUT', json: absolute })).status).toBe(200);
    await s.request(`/fhir/CarePlan/${planId}/$agree`, { method: 'POST', auth: await s.token({ kind: 'patient', fhirUser: patientRef }) });
    expect(agreementState(await readPlan())).toBe('current');
    const goal = await json<fhir4.Goal>(s.request(`/fhir/Goal/${goalId}`));
    expect((await s.request(`/fhir/Goal/${goalId}`, { method: 'PUT', json: { ...goal, description: { text: 'Ett annat mål' } } })).status).toBe(200);
    expect(agreementState(await readPlan())).toBe('stale');
  });
});
