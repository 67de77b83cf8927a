/** Rate limit per principal: over the limit, a 429 OperationOutcome with Retry-After; other principals unaffected. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ SAMPLAN_RATE_LIMIT: '5' });
});
afterAll(() => s.close());

describe('rate limit', () => {
  it('answers the sixth request of a principal in a minute with 429, and still serves another principal', async () => {
    const a = await s.token({ kind: 'system', sub: 'client-a' });
    const b = await s.token({ kind: 'system', sub: 'client-b' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await s.request('/fhir/CarePlan?_count=1', { auth: a })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await s.request('/fhir/CarePlan?_count=1', { auth: a });
    expect(limited.status).toBe(429);
    const retry = Number(limited.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    const oo = (await limited.json()) as fhir4.OperationOutcome;
    expect(oo.resourceType).toBe('OperationOutcome');
    expect(oo.issue[0]!.code).toBe('throttled');
    expect((await s.request('/fhir/CarePlan?_count=1', { auth: b })).status).toBe(200);
  });
});
