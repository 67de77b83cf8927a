/**
 * Over HTTP: a plan's coordinator and contact persons must be participants of
 * its CareTeam (422, business-rule, expression at the extension); a CareTeam
 * in the same transaction counts as written there; a CareTeam that is not
 * known here is refused with a message that says so.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
let plan: fhir4.CarePlan;
let team: fhir4.CareTeam;
let outsider = '';
let lenaRef = '';

const COORDINATOR = 'CarePlan.extension[1].value';
const CONTACT = 'CarePlan.extension[0].extension[0].value';

beforeAll(async () => {
  s = await startTestServer();
  const bundle = JSON.parse(readFileSync(new URL('../../fhir-examples/patientkontrakt-skane.bundle.json', import.meta.url), 'utf8')) as fhir4.Bundle;
  const res = (await (await s.request('/fhir', { method: 'POST', json: bundle })).json()) as fhir4.Bundle;
  const stored = res.entry!.map((e) => e.resource!);
  plan = stored.find((r) => r.resourceType === 'CarePlan') as fhir4.CarePlan;
  team = stored.find((r) => r.resourceType === 'CareTeam') as fhir4.CareTeam;
  // Lena Lund is on the team through her PractitionerRole, not as a Practitioner.
  lenaRef = `Practitioner/${(stored.find((r) => r.resourceType === 'Practitioner' && (r as fhir4.Practitioner).name?.[0]?.text === 'Lena Lund') as fhir4.Practitioner).id}`;
  const created = await s.request('/fhir/Practitioner', { method: 'POST', json: { resourceType: 'Practitioner', name: [{ family: 'Utomstående', given: ['Olle'] }] } });
  outsider = `Practitioner/${((await created.json()) as fhir4.Practitioner).id}`;
});
afterAll(() => s.close());

const readPlan = async (): Promise<fhir4.CarePlan> => (await (await s.request(`/fhir/CarePlan/${plan.id}`)).json()) as fhir4.CarePlan;
const withCoordinator = (p: fhir4.CarePlan, reference: string): fhir4.CarePlan => {
  const copy = structuredClone(p);
  copy.extension![1]!.valueReference = { reference, type: 'Practitioner', display: reference === outsider ? 'Olle Utomstående' : 'Lena Lund' };
  return copy;
};

describe('coordinator and contact persons on the CareTeam', () => {
  it('refuses a coordinator who is not on the plan\'s CareTeam: 422, business-rule at the extension, nothing stored', async () => {
    const before = await readPlan();
    const res = await s.request(`/fhir/CarePlan/${plan.id}`, { method: 'PUT', json: withCoordinator(before, outsider) });
    expect(res.status).toBe(422);
    const oo = (await res.json()) as fhir4.OperationOutcome;
    expect(oo.resourceType).toBe('OperationOutcome');
    expect(oo.issue).toEqual([expect.objectContaining({ severity: 'error', code: 'business-rule', expression: [COORDINATOR] })]);
    expect(oo.issue[0]?.diagnostics).toContain(`coordinator ${outsider}`);
    expect(oo.issue[0]?.diagnostics).toContain(`CareTeam/${team.id}`);
    expect((await readPlan()).meta?.versionId).toBe(before.meta?.versionId);
  });

  it('refuses a contact person who is not on it, at the party', async () => {
    const p = structuredClone(await readPlan());
    p.extension![0]!.extension![0]!.valueReference = { reference: outsider, type: 'Practitioner', display: 'Olle Utomstående' };
    const res = await s.request(`/fhir/CarePlan/${plan.id}`, { method: 'PUT', json: p });
    expect(res.status).toBe(422);
    expect(((await res.json()) as fhir4.OperationOutcome).issue.map((i) => i.expression?.[0])).toEqual([CONTACT]);
  });

  it('accepts someone on the team through their PractitionerRole', async () => {
    const res = await s.request(`/fhir/CarePlan/${plan.id}`, { method: 'PUT', json: withCoordinator(await readPlan(), lenaRef) });
    expect(res.status).toBe(200);
  });

  it('accepts the change in a transaction that adds them to the CareTeam', async () => {
    const current = (await (await s.request(`/fhir/CareTeam/${team.id}`)).json()) as fhir4.CareTeam;
    const role = { coding: [{ system: 'https://samplan.org/fhir/CodeSystem/samplan-careteam-role', code: 'coordinator' }] };
    const bundle: fhir4.Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: withCoordinator(await readPlan(), outsider), request: { method: 'PUT', url: `CarePlan/${plan.id}` } },
        { resource: { ...current, participant: [...(current.participant ?? []), { member: { reference: outsider, type: 'Practitioner', display: 'Olle Utomstående' }, onBehalfOf: current.participant!.find((x) => x.onBehalfOf)!.onBehalfOf!, role: [role] }] }, request: { method: 'PUT', url: `CareTeam/${team.id}` } },
      ],
    };
    const res = await s.request('/fhir', { method: 'POST', json: bundle });
    expect(res.status, JSON.stringify(await res.clone().json()).slice(0, 500)).toBe(200);
    expect((await readPlan()).extension![1]!.valueReference!.reference).toBe(outsider);
  });

  it('refuses the same transaction when it removes them from the CareTeam instead, naming the entry', async () => {
    const current = (await (await s.request(`/fhir/CareTeam/${team.id}`)).json()) as fhir4.CareTeam;
    const without = (current.participant ?? []).filter((p) => p.member?.reference !== lenaRef && !p.member?.reference?.startsWith('PractitionerRole/'));
    const bundle: fhir4.Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { ...current, participant: without }, request: { method: 'PUT', url: `CareTeam/${team.id}` } },
        { resource: withCoordinator(await readPlan(), lenaRef), request: { method: 'PUT', url: `CarePlan/${plan.id}` } },
      ],
    };
    const before = await readPlan();
    const res = await s.request('/fhir', { method: 'POST', json: bundle });
    expect(res.status).toBe(422);
    const oo = (await res.json()) as fhir4.OperationOutcome;
    expect(oo.issue[0]).toMatchObject({ code: 'business-rule', expression: [COORDINATOR] });
    expect(oo.issue[0]?.diagnostics).toMatch(/^Entry 1: /);
    expect((await readPlan()).meta?.versionId).toBe(before.meta?.versionId);
  });

  it('refuses a plan whose CareTeam is not known here, saying so', async () => {
    const { id: _id, meta: _meta, ...copy } = await readPlan();
    const res = await s.request('/fhir/CarePlan', { method: 'POST', json: { ...copy, careTeam: [{ reference: 'CareTeam/finns-inte' }] } });
    expect(res.status).toBe(422);
    const oo = (await res.json()) as fhir4.OperationOutcome;
    expect(oo.issue.every((i) => i.code === 'business-rule')).toBe(true);
    expect(oo.issue.find((i) => i.expression?.[0] === 'CarePlan.careTeam[0]')?.diagnostics).toContain('CareTeam/finns-inte, a care team of the plan, is not known here');
    expect(oo.issue.some((i) => i.expression?.[0] === COORDINATOR)).toBe(true);
  });

  it('$validate does not look at other resources: the cross-check belongs to writes', async () => {
    const res = await s.request('/fhir/CarePlan/$validate', { method: 'POST', json: withCoordinator(await readPlan(), outsider) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as fhir4.OperationOutcome).issue.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('refuses a CareTeam change that would leave a stored plan\'s coordinator off the team, and the team\'s deletion', async () => {
    const current = (await (await s.request(`/fhir/CareTeam/${team.id}`)).json()) as fhir4.CareTeam;
    const coordinator = (await readPlan()).extension![1]!.valueReference!.reference!;
    const without = (current.participant ?? []).filter((p) => p.member?.reference !== coordinator && !p.member?.reference?.startsWith('PractitionerRole/'));
    expect(without.length).toBeLessThan(current.participant!.length);
    const res = await s.request(`/fhir/CareTeam/${team.id}`, { method: 'PUT', json: { ...current, participant: without } });
    expect(res.status).toBe(422);
    const oo = (await res.json()) as fhir4.OperationOutcome;
    expect(oo.issue[0]).toMatchObject({ code: 'business-rule', expression: ['CareTeam.participant'] });
    expect(oo.issue[0]?.diagnostics).toContain(`CarePlan/${plan.id}`);
    expect((await s.request(`/fhir/CareTeam/${team.id}`, { method: 'DELETE' })).status).toBe(422);
    const after = (await (await s.request(`/fhir/CareTeam/${team.id}`)).json()) as fhir4.CareTeam;
    expect(after.meta?.versionId).toBe(current.meta?.versionId);
    // A change that keeps everyone the plans name goes through.
    expect((await s.request(`/fhir/CareTeam/${team.id}`, { method: 'PUT', json: { ...current, name: 'Tyras team' } })).status).toBe(200);
  });
});
