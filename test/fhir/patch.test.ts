/** PATCH with JSON Patch (RFC 6902; https://hl7.org/fhir/R4/http.html#patch): bad patches store nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carePlan } from './fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const JSON_PATCH = { 'Content-Type': 'application/json-patch+json' };

async function newPlan(): Promise<fhir4.CarePlan> {
  return (await (await s.request('/fhir/CarePlan', { method: 'POST', json: carePlan() })).json()) as fhir4.CarePlan;
}
const patch = (id: string, ops: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  s.request(`/fhir/CarePlan/${id}`, { method: 'PATCH', headers: { ...JSON_PATCH, ...headers }, body: JSON.stringify(ops) });
const version = async (id: string): Promise<string> => ((await (await s.request(`/fhir/CarePlan/${id}`)).json()) as fhir4.CarePlan).meta!.versionId!;

describe('PATCH', () => {
  it('applies a patch to one activity and makes a new version', async () => {
    const plan = await newPlan();
    const res = await patch(plan.id!, [
      { op: 'test', path: '/activity/1/detail/status', value: 'not-started' },
      { op: 'replace', path: '/activity/1/detail/status', value: 'in-progress' },
    ]);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"2"');
    const body = (await res.json()) as fhir4.CarePlan;
    expect(body.activity![1]!.detail!.status).toBe('in-progress');
    expect(body.activity![0]!.detail!.status).toBe('not-started');
  });

  it('refuses a failed test operation with 422 and stores nothing', async () => {
    const plan = await newPlan();
    const res = await patch(plan.id!, [
      { op: 'test', path: '/status', value: 'active' },
      { op: 'replace', path: '/title', value: 'changed' },
    ]);
    expect(res.status).toBe(422);
    const oo = (await res.json()) as fhir4.OperationOutcome;
    expect(oo.issue[0]?.diagnostics).toMatch(/test failed/i);
    expect(await version(plan.id!)).toBe('1');
  });

  it('refuses operations on missing paths, id and resourceType changes (422), nothing stored', async () => {
    const plan = await newPlan();
    for (const ops of [
      [{ op: 'remove', path: '/nothing/here' }],
      [{ op: 'replace', path: '/id', value: 'other' }],
      [{ op: 'replace', path: '/resourceType', value: 'Goal' }],
      [{ op: 'move', from: '/absent', path: '/title' }],
    ]) {
      const res = await patch(plan.id!, ops);
      expect(res.status, JSON.stringify(ops)).toBe(422);
    }
    expect(await version(plan.id!)).toBe('1');
  });

  it('refuses malformed patch documents (400) and wrong content types (415)', async () => {
    const plan = await newPlan();
    expect((await patch(plan.id!, { op: 'replace' })).status).toBe(400);
    expect((await patch(plan.id!, [{ path: '/title' }])).status).toBe(400);
    expect((await s.request(`/fhir/CarePlan/${plan.id}`, { method: 'PATCH', headers: JSON_PATCH, body: '[{' })).status).toBe(400);
    expect((await s.request(`/fhir/CarePlan/${plan.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/fhir+json' }, body: '[]' })).status).toBe(415);
    expect(await version(plan.id!)).toBe('1');
  });

  it('honours If-Match, and answers 404/410 for unknown or deleted resources', async () => {
    const plan = await newPlan();
    expect((await patch(plan.id!, [{ op: 'replace', path: '/title', value: 'x' }], { 'If-Match': 'W/"9"' })).status).toBe(412);
    expect((await patch(plan.id!, [{ op: 'replace', path: '/title', value: 'x' }], { 'If-Match': 'W/"1"' })).status).toBe(200);
    expect((await patch('no-such-plan', [{ op: 'replace', path: '/title', value: 'x' }])).status).toBe(404);
    await s.request(`/fhir/CarePlan/${plan.id}`, { method: 'DELETE' });
    expect((await patch(plan.id!, [{ op: 'replace', path: '/title', value: 'x' }])).status).toBe(410);
  });
});
