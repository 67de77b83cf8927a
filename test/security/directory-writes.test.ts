/**
 * Issue 9, door 3, from the attacker's side over HTTP: the directory
 * (Organization, Practitioner, PractitionerRole, RelatedPerson, Patient) is
 * written by the directory feed (system clients) and by an organisation's
 * administrator for their own organisation only; reach through a
 * PractitionerRole comes only from roles the feed wrote; a national identity
 * number is on one active Patient.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { expectOutcome, json, participant, planFor, teamFor } from './support.ts';

const ADMIN: fhir4.CodeableConcept = { coding: [{ system: 'https://samplan.org/fhir/CodeSystem/samplan-directory-role', code: 'administrator' }] };
const PNR = 'http://electronichealth.se/identifier/personnummer';

let s: TestServer;
let outsider: string; // a PractitionerRole token whose role is not (yet) stored
let admin: string;
let practitioner: string;

beforeAll(async () => {
  s = await startTestServer();
  outsider = await s.token({ kind: 'practitioner', fhirUser: 'PractitionerRole/dw-self-made' });
  admin = await s.token({ kind: 'practitioner', fhirUser: 'PractitionerRole/dw-admin' });
  practitioner = await s.token({ kind: 'practitioner', fhirUser: 'Practitioner/dw-anna' });
  await s.seed({ resourceType: 'Organization', id: 'dw-region', name: 'Region', telecom: [{ system: 'phone', value: '+46 40 33 10 00' }] });
  await s.seed({ resourceType: 'Organization', id: 'dw-kommun', name: 'Kommun', telecom: [{ system: 'phone', value: '+46 40 34 10 00' }] });
  await s.seed({ resourceType: 'Practitioner', id: 'dw-colleague', name: [{ family: 'Kollega' }] });
  await s.seed({ resourceType: 'PractitionerRole', id: 'dw-admin', active: true, practitioner: { reference: 'Practitioner/dw-boss' }, organization: { reference: 'Organization/dw-kommun' }, code: [ADMIN] });
  await s.seed({ resourceType: 'Patient', id: 'dw-tolvan', identifier: [{ system: PNR, value: '191212121212' }], name: [{ family: 'Tolvansson' }] });
  // The region's team for the patient: the organisation is on it, so the region's roles reach the plan.
  await s.seed(teamFor('dw-team', 'Patient/dw-tolvan', [participant('Practitioner/dw-anna', 'coordinator', 'Organization/dw-region')]));
  await s.seed(planFor('dw-plan', 'Patient/dw-tolvan', 'CareTeam/dw-team'));
});
afterAll(() => s?.close());

describe('a PractitionerRole the caller writes grants nothing', () => {
  const selfMade: fhir4.PractitionerRole = { resourceType: 'PractitionerRole', id: 'dw-self-made', active: true, practitioner: { reference: 'Practitioner/dw-intruder' }, organization: { reference: 'Organization/dw-region' } };

  it('is refused writing their own PractitionerRole into the organisation on the team', async () => {
    const res = await s.request('/fhir/PractitionerRole/dw-self-made', { method: 'PUT', json: selfMade, auth: outsider });
    expect([403, 404]).toContain(res.status);
    const created = await s.request('/fhir/PractitionerRole', { method: 'POST', json: { ...selfMade, id: undefined }, auth: outsider });
    expect(created.status).toBe(403);
    expect((await s.request('/fhir/CarePlan/dw-plan', { auth: outsider })).status).toBe(404);
  });

  it('a role written by someone other than the directory feed (data from before this rule) gives no reach', async () => {
    await s.db.versions.write({ type: 'PractitionerRole', id: 'dw-self-made', resource: selfMade, expect: 0, writtenBy: 'practitioner', author: 'PractitionerRole/dw-self-made' });
    expect((await s.request('/fhir/CarePlan/dw-plan', { auth: outsider })).status).toBe(404);
  });

  it('the same role from the directory feed does give the organisation\'s reach', async () => {
    const res = await s.request('/fhir/PractitionerRole/dw-self-made', { method: 'PUT', json: { ...selfMade, practitioner: { reference: 'Practitioner/dw-new-hire' } } });
    expect(res.status).toBe(200);
    expect((await s.request('/fhir/CarePlan/dw-plan', { auth: outsider })).status).toBe(200);
  });
});

describe("nobody changes another organisation's record", () => {
  it("a practitioner may not change an organisation's phone number", async () => {
    const org = await json<fhir4.Organization>(await s.request('/fhir/Organization/dw-region'));
    const res = await s.request('/fhir/Organization/dw-region', { method: 'PUT', json: { ...org, telecom: [{ system: 'phone', value: '+46 70 666 66 66' }] }, auth: practitioner });
    expect(res.status).toBe(403);
    expect((await expectOutcome(res)).issue[0]!.diagnostics).toMatch(/directory feed/);
    const after = await json<fhir4.Organization>(await s.request('/fhir/Organization/dw-region'));
    expect(after.telecom?.[0]?.value).toBe('+46 40 33 10 00');
  });

  it("an organisation's administrator may update their own organisation, not another", async () => {
    const own = await json<fhir4.Organization>(await s.request('/fhir/Organization/dw-kommun'));
    const ok = await s.request('/fhir/Organization/dw-kommun', { method: 'PUT', json: { ...own, telecom: [{ system: 'phone', value: '+46 40 34 20 00' }] }, auth: admin });
    expect(ok.status).toBe(200);
    const other = await json<fhir4.Organization>(await s.request('/fhir/Organization/dw-region'));
    const refused = await s.request('/fhir/Organization/dw-region', { method: 'PUT', json: { ...other, name: 'Kapad' }, auth: admin });
    expect(refused.status).toBe(403);
    expect((await s.request('/fhir/Organization/dw-kommun', { method: 'DELETE', auth: admin })).status).toBe(403);
  });

  it("a practitioner may not delete a colleague's Practitioner record", async () => {
    expect((await s.request('/fhir/Practitioner/dw-colleague', { method: 'DELETE', auth: practitioner })).status).toBe(403);
    expect((await s.request('/fhir/Practitioner/dw-colleague')).status).toBe(200);
  });
});

describe('one person, one Patient record', () => {
  it("a practitioner may not create a Patient, least of all with someone's personnummer", async () => {
    const res = await s.request('/fhir/Patient', { method: 'POST', json: { resourceType: 'Patient', identifier: [{ system: PNR, value: '191212121212' }] }, auth: practitioner });
    expect(res.status).toBe(403);
  });

  it('the directory feed cannot create a second active Patient with the same personnummer (422)', async () => {
    const res = await s.request('/fhir/Patient', { method: 'POST', json: { resourceType: 'Patient', identifier: [{ system: PNR, value: '191212121212' }], name: [{ family: 'Dubblett' }] } });
    expect(res.status).toBe(422);
    const oo = await expectOutcome(res);
    expect(oo.issue[0]!.code).toBe('duplicate');
    expect(oo.issue[0]!.expression).toEqual(['Patient.identifier']);
    const found = await json<fhir4.Bundle>(await s.request(`/fhir/Patient?identifier=${encodeURIComponent(`${PNR}|191212121212`)}&_summary=count`));
    expect(found.total).toBe(1);
  });

  it('nor two in one transaction, nor by giving an existing record the number', async () => {
    const bundle: fhir4.Bundle = { resourceType: 'Bundle', type: 'transaction', entry: ['a', 'b'].map((x) => ({ resource: { resourceType: 'Patient', identifier: [{ system: PNR, value: '198112189876' }], name: [{ family: x }] }, request: { method: 'POST', url: 'Patient' } })) };
    expect((await s.request('/fhir', { method: 'POST', json: bundle })).status).toBe(422);
    await s.seed({ resourceType: 'Patient', id: 'dw-other', name: [{ family: 'Annan' }] });
    const res = await s.request('/fhir/Patient/dw-other', { method: 'PUT', json: { resourceType: 'Patient', id: 'dw-other', identifier: [{ system: PNR, value: '191212121212' }] } });
    expect(res.status).toBe(422);
  });

  it('the feed may update the one record, and an inactive record does not block a new one', async () => {
    const res = await s.request('/fhir/Patient/dw-tolvan', { method: 'PUT', json: { resourceType: 'Patient', id: 'dw-tolvan', identifier: [{ system: PNR, value: '191212121212' }], name: [{ family: 'Tolvansson', given: ['Tolvan'] }] } });
    expect(res.status).toBe(200);
    expect((await s.request('/fhir/Patient/dw-tolvan', { method: 'PUT', json: { resourceType: 'Patient', id: 'dw-tolvan', active: false, identifier: [{ system: PNR, value: '191212121212' }] } })).status).toBe(200);
    expect((await s.request('/fhir/Patient', { method: 'POST', json: { resourceType: 'Patient', identifier: [{ system: PNR, value: '191212121212' }] } })).status).toBe(201);
  });
});
