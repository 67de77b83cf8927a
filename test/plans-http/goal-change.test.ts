/**
 * Over HTTP: a change to a Goal's agreed content — by PUT, PATCH, DELETE or
 * a transaction entry — marks stale the agreement of every plan that
 * references the Goal, as a new plan version written with the goal, all or
 * nothing, and audited as samplan's own change. Progress on a goal, or its
 * meta and narrative, leaves the plans alone.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementOf, agreementState } from '../../src/plans/index.ts';
import { EXTENSION } from '../../src/validation/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
let planId = '';
let patientRef = '';
let goalIds: string[] = [];
const otherPlanId = 'pk-tyra-kopia';

beforeAll(async () => {
  s = await startTestServer();
  const bundle = JSON.parse(readFileSync(new URL('../../fhir-examples/patientkontrakt-skane.bundle.json', import.meta.url), 'utf8')) as fhir4.Bundle;
  const res = (await (await s.request('/fhir', { method: 'POST', json: bundle })).json()) as fhir4.Bundle;
  const plan = res.entry!.map((e) => e.resource!).find((r) => r.resourceType === 'CarePlan') as fhir4.CarePlan;
  planId = plan.id!;
  patientRef = plan.subject.reference!;
  goalIds = plan.goal!.map((g) => g.reference!.split('/')[1]!);
  // A second plan naming the same first goal.
  const { id: _id, meta: _meta, ...copy } = plan;
  const created = await s.request(`/fhir/CarePlan/${otherPlanId}`, { method: 'PUT', json: { ...copy, id: otherPlanId, goal: [plan.goal![0]!] } });
  expect(created.status).toBe(201);
});
afterAll(() => s.close());

const json = async <T>(res: Response | Promise<Response>): Promise<T> => (await (await res).json()) as T;
const readPlan = (id = planId): Promise<fhir4.CarePlan> => json<fhir4.CarePlan>(s.request(`/fhir/CarePlan/${id}`));
const readGoal = (i = 0): Promise<fhir4.Goal> => json<fhir4.Goal>(s.request(`/fhir/Goal/${goalIds[i]}`));
const version = (r: fhir4.Resource): number => Number(r.meta?.versionId);

async function agreeNow(id = planId): Promise<void> {
  const token = await s.token({ kind: 'patient', fhirUser: patientRef });
  const res = await s.request(`/fhir/CarePlan/${id}/$agree`, { method: 'POST', auth: token });
  expect(res.status).toBe(200);
  expect(agreementState(await readPlan(id))).toBe('current');
}

const putGoal = (goal: fhir4.Goal, auth?: string): Promise<Response> => s.request(`/fhir/Goal/${goal.id}`, { method: 'PUT', json: goal, ...(auth ? { auth } : {}) });

describe('a goal whose agreed content changes', () => {
  it('PUT: every plan referencing it gets a new version with its agreement stale; the goal is stored', async () => {
    await agreeNow();
    await agreeNow(otherPlanId);
    const [before, otherBefore] = [await readPlan(), await readPlan(otherPlanId)];
    const goal = await readGoal();
    const res = await putGoal({ ...goal, description: { text: 'Jag vill bo kvar hemma, med hjälp varje dag.' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as fhir4.Goal).description.text).toContain('varje dag');

    for (const [id, was] of [[planId, before], [otherPlanId, otherBefore]] as const) {
      const now = await readPlan(id);
      expect(version(now)).toBe(version(was) + 1);
      expect(agreementState(now)).toBe('stale');
      // It still says which version the patient agreed to; the rest of the plan is as it was.
      expect(agreementOf(now)?.agreedVersion).toBe(agreementOf(was)?.agreedVersion);
      const strip = (p: fhir4.CarePlan): unknown => ({ ...p, meta: undefined, extension: p.extension?.filter((e) => e.url !== EXTENSION.agreement) });
      expect(strip(now)).toEqual(strip(was));
    }
  });

  it('the stale plan versions are audited as samplan\'s own change, in the caller\'s request', async () => {
    const auditor = await s.token({ kind: 'system', scope: 'system/AuditEvent.rs' });
    const found = await json<fhir4.Bundle>(s.request(`/fhir/AuditEvent?altid=samplan:plan-rules&entity=CarePlan/${planId}&action=U`, { auth: auditor }));
    expect(found.total).toBeGreaterThanOrEqual(1);
    const event = found.entry![0]!.resource as fhir4.AuditEvent;
    expect(event.outcome).toBe('0');
    expect(event.agent[0]?.who?.display).toBe('samplan:plan-rules');
  });

  it('PATCH adding a target marks it stale as well', async () => {
    await agreeNow();
    const before = await readPlan();
    const patch = [{ op: 'add', path: '/target', value: [{ dueDate: '2026-12-31' }] }];
    const res = await s.request(`/fhir/Goal/${goalIds[0]}`, { method: 'PATCH', json: patch, headers: { 'Content-Type': 'application/json-patch+json' } });
    expect(res.status).toBe(200);
    const now = await readPlan();
    expect(version(now)).toBe(version(before) + 1);
    expect(agreementState(now)).toBe('stale');
  });

  it('a transaction entry marks it stale, with the plan version written in the same transaction', async () => {
    await agreeNow();
    const before = await readPlan();
    const goal = await readGoal(1);
    const bundle: fhir4.Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { ...goal, description: { text: 'Nytt mål i en transaktion' } }, request: { method: 'PUT', url: `Goal/${goal.id}` } }] };
    const res = await s.request('/fhir', { method: 'POST', json: bundle });
    expect(res.status).toBe(200);
    expect(((await res.json()) as fhir4.Bundle).entry).toHaveLength(1);
    const now = await readPlan();
    expect(version(now)).toBe(version(before) + 1);
    expect(agreementState(now)).toBe('stale');
  });

  it('a transaction that changes a goal and activates its plan is refused (the agreement would be stale), and stores nothing', async () => {
    await agreeNow();
    const [plan, goal] = [await readPlan(), await readGoal(1)];
    const bundle: fhir4.Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { ...goal, description: { text: 'Ändrat samtidigt' } }, request: { method: 'PUT', url: `Goal/${goal.id}` } },
        { resource: { ...plan, status: 'active' }, request: { method: 'PUT', url: `CarePlan/${planId}` } },
      ],
    };
    const res = await s.request('/fhir', { method: 'POST', json: bundle });
    expect(res.status).toBe(422);
    const oo = (await res.json()) as fhir4.OperationOutcome;
    expect(oo.issue[0]?.diagnostics).toMatch(/^Entry 1: .*older version/);
    expect(version(await readPlan())).toBe(version(plan));
    expect(version(await readGoal(1))).toBe(version(goal));
    // Activating alone is fine: the agreement is current.
    expect((await s.request(`/fhir/CarePlan/${planId}`, { method: 'PUT', json: { ...plan, status: 'active' } })).status).toBe(200);
  });

  it('a client allowed to write goals but not plans still makes the plans stale: samplan writes them', async () => {
    const goalsOnly = await s.token({ kind: 'system', scope: 'system/Goal.cruds', sub: 'goal-client' });
    const before = await readPlan();
    expect(agreementState(before)).toBe('current');
    const goal = await readGoal(2);
    expect((await putGoal({ ...goal, description: { text: 'Omformulerat av ett annat system' } }, goalsOnly)).status).toBe(200);
    expect(agreementState(await readPlan())).toBe('stale');
    expect((await readPlan()).status).toBe('active'); // stays active, visibly stale, until renewed
  });

  it('DELETE of a goal a plan names marks the plan stale', async () => {
    await agreeNow(otherPlanId);
    const before = await readPlan(otherPlanId);
    expect((await s.request(`/fhir/Goal/${goalIds[0]}`, { method: 'DELETE' })).status).toBe(204);
    const now = await readPlan(otherPlanId);
    expect(version(now)).toBe(version(before) + 1);
    expect(agreementState(now)).toBe('stale');
  });
});

describe('a goal change that does not matter', () => {
  it('only meta, narrative or progress: the plans are untouched', async () => {
    await agreeNow();
    const before = await readPlan();
    const goal = await readGoal(1);
    const res = await putGoal({
      ...goal,
      meta: { ...goal.meta, tag: [{ system: 'https://samplan.org/fhir/tag', code: 'reviewed' }] },
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Målet, omskrivet</p></div>' },
      achievementStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/goal-achievement', code: 'improving' }] },
      note: [{ text: 'Går åt rätt håll' }],
    });
    expect(res.status).toBe(200);
    const now = await readPlan();
    expect(version(now)).toBe(version(before));
    expect(agreementState(now)).toBe('current');
  });
});
