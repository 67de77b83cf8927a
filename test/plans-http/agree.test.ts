/**
 * $agree over HTTP: the patient's agreement is recorded as a Provenance on the
 * plan version; only then may the plan become active; a later change to the
 * measures makes the agreement stale (visible on the plan) until renewed.
 * Also review-due search.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementState } from '../../src/plans/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
let planId = '';
let patientRef = '';
beforeAll(async () => {
  s = await startTestServer();
  const bundle = JSON.parse(readFileSync(new URL('../../fhir-examples/patientkontrakt-skane.bundle.json', import.meta.url), 'utf8')) as fhir4.Bundle;
  const res = (await (await s.request('/fhir', { method: 'POST', json: bundle })).json()) as fhir4.Bundle;
  const plan = res.entry!.map((e) => e.resource!).find((r) => r.resourceType === 'CarePlan') as fhir4.CarePlan;
  planId = plan.id!;
  patientRef = plan.subject.reference!;
});
afterAll(() => s.close());

const read = async (): Promise<fhir4.CarePlan> => (await (await s.request(`/fhir/CarePlan/${planId}`)).json()) as fhir4.CarePlan;
const put = (plan: fhir4.CarePlan): Promise<Response> => s.request(`/fhir/CarePlan/${planId}`, { method: 'PUT', json: plan });

describe('$agree and the plan lifecycle', () => {
  it('refuses draft → active without the patient\'s agreement (422, naming the transition or the missing agreement)', async () => {
    const res = await put({ ...(await read()), status: 'active' });
    expect(res.status).toBe(422);
    expect(((await res.json()) as fhir4.OperationOutcome).issue[0]!.diagnostics).toMatch(/agree/i);
    expect((await read()).status).toBe('draft');
  });

  it('records the patient\'s own agreement as a Provenance on that plan version', async () => {
    const before = await read();
    const token = await s.token({ kind: 'patient', fhirUser: patientRef });
    const res = await s.request(`/fhir/CarePlan/${planId}/$agree`, { method: 'POST', auth: token });
    expect(res.status).toBe(200);
    const plan = (await res.json()) as fhir4.CarePlan;
    expect(agreementState(plan)).toBe('current');
    expect(Number(plan.meta!.versionId)).toBe(Number(before.meta!.versionId) + 1);
    const prov = (await (await s.request(`/fhir/Provenance?target=CarePlan/${planId}`)).json()) as fhir4.Bundle;
    expect(prov.total).toBe(1);
    const p = prov.entry![0]!.resource as fhir4.Provenance;
    expect(p.target[0]!.reference).toBe(`CarePlan/${planId}/_history/${before.meta!.versionId}`);
    expect(p.agent[0]!.who!.reference).toBe(patientRef);
  });

  it('then lets the plan become active', async () => {
    const res = await put({ ...(await read()), status: 'active' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as fhir4.CarePlan).status).toBe('active');
  });

  it('marks the agreement stale when a measure changes, and on-hold → active is refused until it is renewed', async () => {
    const plan = await read();
    plan.activity![0]!.detail!.description = `${plan.activity![0]!.detail!.description ?? ''} (ändrad)`;
    const changed = await put(plan);
    expect(changed.status).toBe(200);
    expect(agreementState((await changed.json()) as fhir4.CarePlan)).toBe('stale');
    expect((await put({ ...(await read()), status: 'on-hold' })).status).toBe(200);
    const refused = await put({ ...(await read()), status: 'active' });
    expect(refused.status).toBe(422);
    const token = await s.token({ kind: 'patient', fhirUser: patientRef });
    expect((await s.request(`/fhir/CarePlan/${planId}/$agree`, { method: 'POST', auth: token })).status).toBe(200);
    expect((await put({ ...(await read()), status: 'active' })).status).toBe(200);
  });

  it('refuses another patient (404: not theirs to see), a practitioner without a reason (422), and refused transitions (422)', async () => {
    const stranger = await s.token({ kind: 'patient', fhirUser: 'Patient/someone-else' });
    expect((await s.request(`/fhir/CarePlan/${planId}/$agree`, { method: 'POST', auth: stranger })).status).toBe(404);
    const system = await s.token({ kind: 'system' });
    const noReason = await s.request(`/fhir/CarePlan/${planId}/$agree`, { method: 'POST', auth: system, json: { resourceType: 'Parameters', parameter: [{ name: 'agent', valueReference: { reference: 'Practitioner/x' } }] } });
    expect(noReason.status).toBe(422);
    const res = await put({ ...(await read()), status: 'draft' });
    expect(res.status).toBe(422);
    expect(((await res.json()) as fhir4.OperationOutcome).issue.some((i) => /active.*draft|draft/.test(i.diagnostics ?? ''))).toBe(true);
  });
});

describe('review-due', () => {
  it('finds plans whose next follow-up date is on or before a date', async () => {
    const plan = await read();
    const next = plan.extension!.find((e) => e.url.endsWith('samplan-next-review'))!.valueDate!;
    // A search with no criterion that names plans by value walks the listing and counts only when asked.
    const found = async (q: string): Promise<number> => ((await (await s.request(`/fhir/CarePlan?review-due=${q}&_total=accurate`)).json()) as fhir4.Bundle).total!;
    expect(await found(`le${next}`)).toBe(1);
    const dayBefore = new Date(Date.parse(next) - 86_400_000).toISOString().slice(0, 10);
    expect(await found(`le${dayBefore}`)).toBe(0);
  });
});
