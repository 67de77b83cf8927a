/**
 * `PractitionerRole?organization=…&_include=PractitionerRole:practitioner`: the
 * people of one organisation, which the team page offers as colleagues to add.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  for (const [id, family] of [['ip-1', 'Ek'], ['ip-2', 'Alm'], ['ip-3', 'Lind']] as const) await s.seed({ resourceType: 'Practitioner', id, name: [{ family }] });
  await s.seed({ resourceType: 'PractitionerRole', id: 'ipr-1', active: true, practitioner: { reference: 'Practitioner/ip-1' }, organization: { reference: 'Organization/ip-kommun' } });
  await s.seed({ resourceType: 'PractitionerRole', id: 'ipr-2', active: true, practitioner: { reference: 'Practitioner/ip-2' }, organization: { reference: 'Organization/ip-kommun' } });
  await s.seed({ resourceType: 'PractitionerRole', id: 'ipr-3', active: true, practitioner: { reference: 'Practitioner/ip-3' }, organization: { reference: 'Organization/ip-region' } });
});
afterAll(() => s.close());

describe('_include=PractitionerRole:practitioner', () => {
  it("adds the roles' practitioners, and only theirs", async () => {
    const res = await s.request('/fhir/PractitionerRole?organization=Organization/ip-kommun&_include=PractitionerRole:practitioner');
    expect(res.status).toBe(200);
    const b = (await res.json()) as fhir4.Bundle;
    const ids = (mode: string): string[] => b.entry!.filter((e) => e.search?.mode === mode).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort();
    expect(ids('match')).toEqual(['PractitionerRole/ipr-1', 'PractitionerRole/ipr-2']);
    expect(ids('include')).toEqual(['Practitioner/ip-1', 'Practitioner/ip-2']);
  });

  it('is listed in the CapabilityStatement', async () => {
    const cs = (await (await s.request('/fhir/metadata', { auth: null })).json()) as fhir4.CapabilityStatement;
    expect(cs.rest![0]!.resource!.find((r) => r.type === 'PractitionerRole')!.searchInclude).toContain('PractitionerRole:practitioner');
  });

  it('another include on PractitionerRole is refused with the supported ones named', async () => {
    const res = await s.request('/fhir/PractitionerRole?_include=PractitionerRole:organization');
    expect(res.status).toBe(400);
    expect(((await res.json()) as fhir4.OperationOutcome).issue[0]!.diagnostics).toContain('PractitionerRole:practitioner');
  });
});
