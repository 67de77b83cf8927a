/** Every error is an OperationOutcome with the right status, and leaves stored data untouched. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carePlan } from './fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ SAMPLAN_BODY_LIMIT: '65536' });
});
afterAll(() => s.close());

async function expectOutcome(res: Response, status: number, code?: string): Promise<fhir4.OperationOutcome> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
  const oo = (await res.json()) as fhir4.OperationOutcome;
  expect(oo.resourceType).toBe('OperationOutcome');
  expect(oo.issue.length).toBeGreaterThan(0);
  expect(oo.issue[0]!.severity).toBe('error');
  if (code) expect(oo.issue[0]!.code).toBe(code);
  return oo;
}

const total = async (): Promise<number> => ((await (await s.request('/fhir/CarePlan?_summary=count')).json()) as fhir4.Bundle).total!;

describe('error statuses', () => {
  it('404 for an unknown type, an unknown id and an unknown endpoint', async () => {
    await expectOutcome(await s.request('/fhir/Unicorn'), 404);
    await expectOutcome(await s.request('/fhir/Unicorn/1'), 404);
    await expectOutcome(await s.request('/fhir/CarePlan/nope'), 404, 'not-found');
    await expectOutcome(await s.request('/fhir/CarePlan/x/y/z/w'), 404);
    await expectOutcome(await s.request('/nowhere', { auth: null }), 404);
  });

  it('400 for malformed JSON, a non-object body, a missing resourceType and a bad id', async () => {
    const before = await total();
    await expectOutcome(await s.request('/fhir/CarePlan', { method: 'POST', headers: { 'Content-Type': 'application/fhir+json' }, body: '{"resourceType": "CarePlan",' }), 400, 'structure');
    await expectOutcome(await s.request('/fhir/CarePlan', { method: 'POST', json: [1, 2] }), 400);
    await expectOutcome(await s.request('/fhir/CarePlan', { method: 'POST', json: { status: 'draft' } }), 400, 'required');
    await expectOutcome(await s.request('/fhir/CarePlan', { method: 'POST', headers: { 'Content-Type': 'application/fhir+json' } }), 400);
    await expectOutcome(await s.request(`/fhir/CarePlan/${'x'.repeat(65)}`, { method: 'PUT', json: carePlan({ id: 'x'.repeat(65) }) }), 400);
    await expectOutcome(await s.request('/fhir/CarePlan/a_b', { method: 'PUT', json: carePlan({ id: 'a_b' }) }), 400);
    expect(await total()).toBe(before);
  });

  it('400 when resourceType or id disagree with the URL', async () => {
    await expectOutcome(await s.request('/fhir/CarePlan', { method: 'POST', json: { resourceType: 'Goal' } }), 400);
    await expectOutcome(await s.request('/fhir/CarePlan/a', { method: 'PUT', json: carePlan({ id: 'b' }) }), 400);
  });

  it('415 for a content type that is not FHIR JSON', async () => {
    const before = await total();
    await expectOutcome(await s.request('/fhir/CarePlan', { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: '<CarePlan/>' }), 415);
    await expectOutcome(await s.request('/fhir/CarePlan', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(carePlan()) }), 415);
    await expectOutcome(await s.request('/fhir/CarePlan', { method: 'POST', body: JSON.stringify(carePlan()) }), 415);
    expect(await total()).toBe(before);
  });

  it('accepts application/json as well as application/fhir+json', async () => {
    const res = await s.request('/fhir/CarePlan', { method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify(carePlan()) });
    expect(res.status).toBe(201);
  });

  it('413 for a body over the configured limit', async () => {
    const before = await total();
    const big = carePlan({ description: 'x'.repeat(70_000) });
    const oo = await expectOutcome(await s.request('/fhir/CarePlan', { method: 'POST', json: big }), 413);
    expect(oo.issue[0]!.diagnostics).toMatch(/65536/);
    expect(await total()).toBe(before);
  });

  it('400 for a body nested deeper than 64 levels', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 200; i++) deep = [deep];
    await expectOutcome(await s.request('/fhir/CarePlan', { method: 'POST', json: carePlan({ extension: deep as fhir4.Extension[] }) }), 400);
  });

  it('405 for a method the endpoint does not have, 406 for an Accept it cannot serve', async () => {
    await expectOutcome(await s.request('/fhir/CarePlan', { method: 'DELETE' }), 405);
    await expectOutcome(await s.request('/fhir/CarePlan/_history', { method: 'POST', json: {} }), 405);
    await expectOutcome(await s.request('/fhir/Provenance', { method: 'POST', json: { resourceType: 'Provenance' } }), 405);
    await expectOutcome(await s.request('/fhir/CarePlan', { headers: { Accept: 'application/fhir+xml' } }), 406);
  });

  it('401 without a token, with a WWW-Authenticate challenge', async () => {
    const res = await s.request('/fhir/CarePlan', { auth: null });
    await expectOutcome(res, 401, 'login');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="samplan"/);
  });
});
