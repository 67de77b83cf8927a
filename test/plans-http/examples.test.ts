/** Every file in fhir-examples/ loads through POST /fhir in ONE transaction and reads back as sent. */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

const DIR = new URL('../../fhir-examples/', import.meta.url);
const bundles = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as fhir4.Bundle);

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe('fhir-examples', () => {
  it('all load in one transaction, and every resource reads back', async () => {
    expect(bundles.length).toBeGreaterThanOrEqual(4);
    const entry = bundles.flatMap((b) => b.entry ?? []);
    const res = await s.request('/fhir', { method: 'POST', json: { resourceType: 'Bundle', type: 'transaction', entry } });
    const body = (await res.json()) as fhir4.Bundle;
    expect(res.status, JSON.stringify(body).slice(0, 800)).toBe(200);
    expect(body.entry).toHaveLength(entry.length);
    expect(body.entry!.every((e) => e.response!.status === '201')).toBe(true);

    // urn:uuid fullUrl → stored reference, to compare what was sent with what reads back.
    const map = new Map(entry.map((e, i) => [e.fullUrl!, `${e.resource!.resourceType}/${body.entry![i]!.resource!.id}`]));
    for (const [i, sent] of entry.entries()) {
      const location = body.entry![i]!.response!.location!;
      const read = await s.request(location);
      expect(read.status, location).toBe(200);
      const stored = (await read.json()) as fhir4.FhirResource;
      expect(stored.resourceType).toBe(sent.resource!.resourceType);
      const expected = JSON.parse(JSON.stringify(sent.resource).replace(/"urn:uuid:[0-9a-f-]{36}"/g, (m) => JSON.stringify(map.get(JSON.parse(m)) ?? m)));
      const { id: _i, meta: _m, ...restStored } = stored as fhir4.FhirResource & { meta?: unknown };
      const { id: _j, meta: _n, ...restSent } = expected as fhir4.FhirResource & { meta?: unknown };
      expect(restStored).toEqual(restSent);
    }
    // Each scenario's plan is found by its patient, with its team included.
    const plans = entry.filter((e) => e.resource!.resourceType === 'CarePlan');
    for (const p of plans) {
      const patient = map.get((p.resource as fhir4.CarePlan).subject.reference!)!;
      const found = (await (await s.request(`/fhir/CarePlan?patient=${patient}&_include=CarePlan:care-team`)).json()) as fhir4.Bundle;
      expect(found.total).toBe(1);
      expect(found.entry!.some((e) => e.search?.mode === 'include' && e.resource!.resourceType === 'CareTeam')).toBe(true);
    }
  });
});
