/** `npm start` in development loads fhir-examples/ into an empty database, through the FHIR transaction, once. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicePrincipal } from '../src/auth/index.ts';
import { loadExamplesIfEmpty } from '../src/examples.ts';
import { parseSearch } from '../src/store/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const count = async (type: string): Promise<number> => {
  const ctx = { principal: servicePrincipal('test'), requestId: randomUUID(), baseUrl: s.fhir };
  return (await s.services.store.search(ctx, type, parseSearch(type, [['_count', '100']], true), '_count=100')).docs.length;
};

describe('loading the examples', () => {
  it('loads every example into an empty database, and nothing once a plan is there', async () => {
    expect(await loadExamplesIfEmpty(s.services, s.fhir)).toEqual({ bundles: 4, resources: 69 });
    expect(await count('CarePlan')).toBe(4);
    expect(await count('Patient')).toBe(4);
    expect(await count('RelatedPerson')).toBe(4);
    expect(await loadExamplesIfEmpty(s.services, s.fhir)).toBeUndefined();
    expect(await count('CarePlan')).toBe(4);
    // Loaded as a system client would: audited like any EHR's transaction.
    const auditor = await s.token({ scope: 'system/AuditEvent.rs' });
    const audit = (await (await s.request('/fhir/AuditEvent?altid=samplan:examples&_count=50', { auth: auditor })).json()) as fhir4.Bundle;
    expect(audit.entry?.length).toBeGreaterThan(0);
  });
});
