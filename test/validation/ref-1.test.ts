/**
 * ref-1 ("SHALL have a contained resource if a local reference is provided",
 * https://hl7.org/fhir/R4/references.html) holds for local references only:
 * a Reference with only a display or an identifier is legal R4, and so is `#`
 * from a contained resource to its container. samplan's own AuditEvents name
 * the service and non-FHIR callers by display, so they must pass $validate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORRECTIONS } from '../../src/validation/core-generate.ts';
import { validateResource } from '../../src/validation/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ref1 = (r: unknown): string[] =>
  validateResource(r)
    .filter((i) => i.severity === 'error' && i.diagnostics?.startsWith('ref-1'))
    .map((i) => i.expression?.[0] ?? '');

const patient = (more: Partial<fhir4.Patient>): fhir4.Patient => ({ resourceType: 'Patient', id: 'p1', ...more });

describe('ref-1', () => {
  it('passes a display-only and an identifier-only reference', () => {
    expect(ref1(patient({ generalPractitioner: [{ display: 'Dr. Anna Exempel' }] }))).toEqual([]);
    expect(ref1(patient({ managingOrganization: { identifier: { system: 'urn:oid:2.16.578.1.12.4.1.4.101', value: '999990010' } } }))).toEqual([]);
    expect(validateResource(patient({ generalPractitioner: [{ display: 'Dr. Anna Exempel' }] })).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('passes relative and absolute references', () => {
    expect(ref1(patient({ generalPractitioner: [{ reference: 'Practitioner/x' }, { reference: 'https://other.example/fhir/Practitioner/y' }] }))).toEqual([]);
  });

  it('passes a local reference to a contained resource', () => {
    const org: fhir4.Organization = { resourceType: 'Organization', id: 'org', name: 'Vårdcentralen Testhamn' };
    expect(ref1(patient({ contained: [org], managingOrganization: { reference: '#org' } }))).toEqual([]);
  });

  it('refuses a local reference to nothing contained, naming the Reference', () => {
    const org: fhir4.Organization = { resourceType: 'Organization', id: 'org', name: 'Vårdcentralen Testhamn' };
    expect(ref1(patient({ managingOrganization: { reference: '#org' } }))).toEqual(['Patient.managingOrganization']);
    expect(ref1(patient({ contained: [org], generalPractitioner: [{ reference: '#other', display: 'x' }] }))).toEqual(['Patient.generalPractitioner[0]']);
  });

  it('passes `#` from a contained resource to its container, and refuses it outside one', () => {
    const contained: fhir4.RelatedPerson = { resourceType: 'RelatedPerson', id: 'rp', patient: { reference: '#' } };
    expect(ref1(patient({ contained: [contained], link: [{ other: { reference: '#rp' }, type: 'seealso' }] }))).toEqual([]);
    expect(ref1(patient({ managingOrganization: { reference: '#' } }))).toEqual(['Patient.managingOrganization']);
  });

  it('is the R4 expression with R5\'s guards (the only corrected core rule)', () => {
    expect(Object.keys(CORRECTIONS)).toEqual(['ref-1']);
    expect(CORRECTIONS['ref-1']!('X')).toBe("reference.exists() implies (X or (reference = '#' and %rootResource != %resource))");
  });
});

describe('samplan\'s own AuditEvents', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  it('validate: a stored AuditEvent naming its agent and observer by display passes $validate', async () => {
    // A system client has no fhirUser: the event names it by display, as it names the observer (samplan).
    expect((await s.request('/fhir/Patient?_count=1')).status).toBe(200);
    const auditor = await s.token({ kind: 'system', scope: 'system/AuditEvent.rs' });
    const events = (await (await s.request('/fhir/AuditEvent?_count=20', { auth: auditor })).json()) as fhir4.Bundle;
    const stored = (events.entry ?? []).map((e) => e.resource as fhir4.AuditEvent);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.some((e) => e.agent[0]?.who?.reference === undefined && e.agent[0]?.who?.display !== undefined)).toBe(true);
    for (const event of stored) {
      const res = await s.request('/fhir/AuditEvent/$validate', { method: 'POST', json: event });
      expect(res.status).toBe(200);
      const oo = (await res.json()) as fhir4.OperationOutcome;
      expect(oo.issue.filter((i) => i.severity === 'error' || i.severity === 'fatal'), JSON.stringify(oo.issue)).toEqual([]);
    }
  });
});
