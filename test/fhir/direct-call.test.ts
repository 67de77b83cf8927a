/** FHIR interactions are plain functions: they run without HTTP, with the caller's context. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicePrincipal } from '../../src/auth/principal.ts';
import { FhirError } from '../../src/errors.ts';
import { dispatch } from '../../src/fhir/router.ts';
import type { FhirRequest } from '../../src/fhir/types.ts';
import { buildServices } from '../../src/services.ts';
import type { Database } from '../../src/store/index.ts';
import { dropTestDatabase, openTestDatabase } from '../support/db.ts';
import { carePlan } from './fixtures.ts';

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => dropTestDatabase(db));

const request = (method: FhirRequest['method'], path: string[], body?: unknown, headers: Record<string, string> = {}): FhirRequest => ({
  method, path, query: [], headers, body, ctx: { principal: servicePrincipal('test'), requestId: 'r1', baseUrl: 'http://example.org/fhir' },
});

describe('dispatch without HTTP', () => {
  it('creates, reads and updates through plain function calls', async () => {
    const svc = buildServices(db);
    const created = await dispatch(request('POST', ['CarePlan'], carePlan()), svc);
    expect(created.status).toBe(201);
    const plan = created.body as fhir4.CarePlan;
    expect(created.headers?.Location).toBe(`http://example.org/fhir/CarePlan/${plan.id}/_history/1`);
    const read = await dispatch(request('GET', ['CarePlan', plan.id!]), svc);
    expect((read.body as fhir4.CarePlan).title).toBe(plan.title);
    const err = await dispatch(request('PUT', ['CarePlan', plan.id!], { ...plan, title: 'x' }, { 'if-match': 'W/"3"' }), svc).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirError);
    expect((err as FhirError).status).toBe(412);
  });

  it('records an AuditEvent for each access, naming the caller', async () => {
    const svc = buildServices(db);
    await dispatch(request('POST', ['Goal'], { resourceType: 'Goal', lifecycleStatus: 'active', description: { text: 'x' }, subject: { reference: 'Patient/direct' } }), svc);
    const events = await db.models.resources('AuditEvent').find({}).lean();
    const mine = events.map((e) => e.resource as fhir4.AuditEvent).filter((e) => e.entity?.some((x) => x.what?.reference === 'Patient/direct'));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.action).toBe('C');
    expect(mine[0]!.agent[0]!.altId).toBe('samplan:test');
  });
});
