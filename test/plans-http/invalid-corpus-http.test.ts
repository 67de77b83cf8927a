/**
 * The invalid corpus (test/validation/invalid/) over HTTP: every resource is
 * refused with 400 or 422 and the issue code and expression it names, and
 * nothing is stored. Also through $validate, which stores nothing either.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from '../../src/store/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

interface Case {
  description: string;
  profile?: string;
  expect: { code: string; expression: string; kind: 'invalid' | 'unprocessable' };
  resource: fhir4.FhirResource;
}

const DIR = new URL('../validation/invalid/', import.meta.url);
const cases = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort().map((f) => [f, JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as Case] as const);
const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const SERVED = new Set<string>(RESOURCE_TYPES);

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe('invalid resources over HTTP', () => {
  it('has at least 40 cases', () => expect(cases.length).toBeGreaterThanOrEqual(40));

  describe.each(cases)('%s', (file, c) => {
    const type = c.resource.resourceType;
    const aboutId = c.expect.expression === `${type}.id`;
    // Each case under an id of its own, so one case can never see another's data.
    const id = aboutId ? String(c.resource.id) : `case-${file.slice(0, 2)}`;
    const body = (): fhir4.FhirResource => {
      const r = { ...c.resource, ...(aboutId ? {} : { id }) } as fhir4.FhirResource;
      if (c.profile) r.meta = { ...r.meta, profile: [c.profile] };
      return r;
    };
    const served = SERVED.has(type);
    const writable = served && type !== 'Provenance'; // Provenance is written only by samplan itself ($agree)

    // The agreement is the server's to record ($agree): over the API a client's agreement is dropped, never stored.
    const forgesAgreement = JSON.stringify(c.resource).includes('StructureDefinition/samplan-agreement"');

    if (writable && !forgesAgreement) it(`PUT is refused with ${c.expect.kind === 'invalid' ? 400 : 422} naming ${c.expect.code} at ${c.expect.expression}, and nothing is stored`, async () => {
      const res = await s.request(`/fhir/${type}/${encodeURIComponent(id)}`, { method: 'PUT', json: body() });
      expect(res.status).toBe(c.expect.kind === 'invalid' ? 400 : 422);
      const oo = (await res.json()) as fhir4.OperationOutcome;
      // A malformed id is refused by the URL check first; a requested profile travels as meta.profile here.
      const where = (i: fhir4.OperationOutcomeIssue): boolean => aboutId || c.profile !== undefined || (i.expression ?? []).includes(c.expect.expression);
      if (!aboutId) expect(oo.issue.some((i) => i.code === c.expect.code && where(i)), JSON.stringify(oo.issue)).toBe(true);
      if (ID.test(id)) expect((await s.request(`/fhir/${type}/${id}`)).status).toBe(404);
    });

    if (writable && forgesAgreement) it('a client cannot store an agreement: it is refused or dropped', async () => {
      const res = await s.request(`/fhir/${type}/${id}`, { method: 'PUT', json: body() });
      if (res.status < 300) {
        const stored = (await (await s.request(`/fhir/${type}/${id}`)).json()) as fhir4.CarePlan;
        expect(JSON.stringify(stored)).not.toContain('StructureDefinition/samplan-agreement"');
      } else expect([400, 422]).toContain(res.status);
    });

    if (!served) it('a type samplan does not serve is refused at the URL (404, not-supported)', async () => {
      const res = await s.request(`/fhir/${type}/${id}`, { method: 'PUT', json: body() });
      expect(res.status).toBe(404);
      expect(((await res.json()) as fhir4.OperationOutcome).issue[0]?.code).toBe('not-supported');
    });

    if (served) it('$validate reports the same issue and stores nothing', async () => {
      const res = await s.request(`/fhir/${type}/$validate`, { method: 'POST', json: body() });
      expect(res.status).toBe(200);
      const oo = (await res.json()) as fhir4.OperationOutcome;
      const where = (i: fhir4.OperationOutcomeIssue): boolean => c.profile !== undefined || (i.expression ?? []).includes(c.expect.expression);
      expect(oo.issue.some((i) => i.severity === 'error' && i.code === c.expect.code && where(i)), JSON.stringify(oo.issue)).toBe(true);
      if (ID.test(id) && !forgesAgreement) expect((await s.request(`/fhir/${type}/${id}`)).status).toBe(404);
    });
  });
});
