/** /fhir/metadata, /healthz, /readyz and the SMART configuration are public and tell the truth. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe('CapabilityStatement', () => {
  it('is public, R4, and lists what is implemented', async () => {
    const res = await s.request('/fhir/metadata', { auth: null });
    expect(res.status).toBe(200);
    const cs = (await res.json()) as fhir4.CapabilityStatement;
    expect(cs.fhirVersion).toBe('4.0.1');
    expect(cs.patchFormat).toContain('application/json-patch+json');
    const rest = cs.rest![0]!;
    expect(rest.interaction!.map((i) => i.code).sort()).toEqual(['batch', 'transaction']);
    const plan = rest.resource!.find((r) => r.type === 'CarePlan')!;
    expect(plan.interaction!.map((i) => i.code).sort()).toEqual(['create', 'delete', 'history-instance', 'history-type', 'patch', 'read', 'search-type', 'update', 'vread']);
    expect(plan.versioning).toBe('versioned-update');
    expect(plan.conditionalCreate).toBe(true);
    expect(plan.searchInclude).toEqual(expect.arrayContaining(['CarePlan:care-team', 'CarePlan:goal']));
    expect(plan.searchParam!.map((p) => p.name)).toEqual(expect.arrayContaining(['patient', 'subject', 'status', 'category', 'care-team', 'date', 'identifier', '_lastUpdated', '_id']));
    expect(rest.resource!.find((r) => r.type === 'CareTeam')!.searchParam!.map((p) => p.name)).toEqual(expect.arrayContaining(['patient', 'participant', 'status']));
    expect(rest.resource!.find((r) => r.type === 'Goal')!.searchParam!.map((p) => p.name)).toEqual(expect.arrayContaining(['patient', 'lifecycle-status']));
    const prov = rest.resource!.find((r) => r.type === 'Provenance')!;
    expect(prov.interaction!.map((i) => i.code)).not.toContain('create');
  });

  it('advertises exactly the search parameters the server accepts', async () => {
    const cs = (await (await s.request('/fhir/metadata', { auth: null })).json()) as fhir4.CapabilityStatement;
    for (const r of cs.rest![0]!.resource!) {
      for (const p of r.searchParam ?? []) {
        const value = p.type === 'date' ? 'ge2020-01-01' : p.type === 'reference' ? 'Patient/x' : 'x';
        const res = await s.request(`/fhir/${r.type}?${p.name}=${encodeURIComponent(value)}&_count=1`, { auth: await s.token({ scope: 'system/*.cruds system/AuditEvent.rs' }) });
        expect(res.status, `${r.type}?${p.name}`).toBe(200);
      }
    }
  });
});

describe('health', () => {
  it('/healthz answers while the process runs, /readyz while the database is reachable', async () => {
    const h = await s.request('/healthz', { auth: null });
    expect(h.status).toBe(200);
    expect(await h.json()).toEqual({ status: 'ok' });
    const r = await s.request('/readyz', { auth: null });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ready' });
  });

  it('/.well-known/smart-configuration is public JSON', async () => {
    const res = await s.request('/.well-known/smart-configuration', { auth: null });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { capabilities: string[] };
    expect(body.capabilities).toContain('permission-v2');
  });
});
