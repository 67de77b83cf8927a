/**
 * Issue 15: samplan serves its own StructureDefinitions, ValueSets,
 * CodeSystems (and SearchParameters, OperationDefinitions) read-only at the
 * FHIR base — the same artifacts as profiles/ — public like the
 * CapabilityStatement, which lists them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

const dir = new URL('../../profiles/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as fhir4.FhirResource & { id: string; url: string });

describe('conformance resources at the FHIR base', () => {
  it.each(files.map((r) => [`${r.resourceType}/${r.id}`, r] as const))('%s reads without a token, as in profiles/', async (_path, r) => {
    const res = await s.request(`/fhir/${r.resourceType}/${r.id}`, { auth: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(r);
  });

  it('are found by their canonical url (and version)', async () => {
    const sd = files.find((r) => r.resourceType === 'StructureDefinition')!;
    const bundle = (await (await s.request(`/fhir/StructureDefinition?url=${encodeURIComponent(sd.url)}`, { auth: null })).json()) as fhir4.Bundle;
    expect(bundle.total).toBe(1);
    expect((bundle.entry?.[0]?.resource as { url?: string }).url).toBe(sd.url);
    const none = (await (await s.request(`/fhir/ValueSet?url=${encodeURIComponent('https://example.org/nothing')}`, { auth: null })).json()) as fhir4.Bundle;
    expect(none.total).toBe(0);
    const all = (await (await s.request('/fhir/CodeSystem', { auth: null })).json()) as fhir4.Bundle;
    expect(all.total).toBe(files.filter((r) => r.resourceType === 'CodeSystem').length);
  });

  it('answer an unknown id with 404 and an unknown parameter with 400, as OperationOutcomes', async () => {
    const missing = await s.request('/fhir/StructureDefinition/nothing-here', { auth: null });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as fhir4.OperationOutcome).resourceType).toBe('OperationOutcome');
    const bad = await s.request('/fhir/ValueSet?name=x', { auth: null });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as fhir4.OperationOutcome).resourceType).toBe('OperationOutcome');
  });

  it('cannot be written', async () => {
    const sd = files.find((r) => r.resourceType === 'StructureDefinition')!;
    const res = await s.request(`/fhir/StructureDefinition/${sd.id}`, { method: 'PUT', json: { ...sd, title: 'changed' } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(((await (await s.request(`/fhir/StructureDefinition/${sd.id}`, { auth: null })).json()) as { title?: string }).title).toBe((sd as { title?: string }).title);
  });

  it('are listed in the CapabilityStatement with read and search by url', async () => {
    const cs = (await (await s.request('/fhir/metadata', { auth: null })).json()) as fhir4.CapabilityStatement;
    for (const type of ['StructureDefinition', 'ValueSet', 'CodeSystem']) {
      const r = cs.rest?.[0]?.resource?.find((x) => x.type === type);
      expect(r?.interaction?.map((i) => i.code).sort()).toEqual(['read', 'search-type']);
      expect(r?.searchParam?.map((p) => p.name)).toContain('url');
    }
  });
});
