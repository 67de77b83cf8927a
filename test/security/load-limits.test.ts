/**
 * Issue 9, "Load from one principal" and "Failed authentication": each batch
 * entry and each search term counts against the caller's budget, a search or
 * Bundle may only be so large, refused tokens are limited per client address
 * and logged without the token, and the log names routes, not ids.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ENTRIES } from '../../src/fhir/interactions/bundle.ts';
import { MAX_SEARCH_TERMS } from '../../src/store/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { badTokens, expectOutcome, json } from './support.ts';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  },
});

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ SAMPLAN_RATE_LIMIT: '20', SAMPLAN_AUTH_FAILURE_LIMIT: '3' }, { logger: pino({ level: 'info' }, sink) });
});
afterAll(() => s?.close());

const batchOf = (n: number): fhir4.Bundle => ({ resourceType: 'Bundle', type: 'batch', entry: Array.from({ length: n }, () => ({ request: { method: 'GET', url: 'CarePlan?_count=1' } })) });

describe('the budget counts work, not requests', () => {
  it('a batch costs one unit per entry: 15 entries pass, the next 10 do not fit the minute', async () => {
    const t = await s.token({ kind: 'system', sub: 'ld-batch' });
    expect((await s.request('/fhir', { method: 'POST', json: batchOf(15), auth: t })).status).toBe(200);
    const over = await s.request('/fhir', { method: 'POST', json: batchOf(10), auth: t });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await expectOutcome(over)).issue[0]!.code).toBe('throttled');
  });

  it('a search costs one unit per value it names', async () => {
    const t = await s.token({ kind: 'system', sub: 'ld-search' });
    const ids = Array.from({ length: 15 }, (_, i) => `x${i}`).join(',');
    expect((await s.request(`/fhir/CarePlan?_id=${ids}`, { auth: t })).status).toBe(200);
    expect((await s.request(`/fhir/CarePlan?_id=${ids}`, { auth: t })).status).toBe(429);
    // Another principal is unaffected.
    expect((await s.request('/fhir/CarePlan?_count=1', { auth: await s.token({ kind: 'system', sub: 'ld-other' }) })).status).toBe(200);
  });
});

describe('one request is bounded', () => {
  it(`a search naming more than ${MAX_SEARCH_TERMS} values is refused with 413 before it runs`, async () => {
    const s2 = await startTestServer();
    try {
      const ids = Array.from({ length: MAX_SEARCH_TERMS + 1 }, (_, i) => `id${i}`).join(',');
      const res = await s2.request('/fhir/CarePlan/_search', { method: 'POST', body: `_id=${ids}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      expect(res.status).toBe(413);
      expect((await expectOutcome(res)).issue[0]!.code).toBe('too-costly');
      const ok = await s2.request(`/fhir/CarePlan?_id=${Array.from({ length: MAX_SEARCH_TERMS }, (_, i) => `id${i}`).join(',')}`);
      expect(ok.status).toBe(200);
      const big = await s2.request('/fhir', { method: 'POST', json: batchOf(MAX_ENTRIES + 1) });
      expect(big.status).toBe(413);
    } finally {
      await s2.close();
    }
  });
});

describe('failed authentication', () => {
  it('is limited per client address and logged without the token', async () => {
    const bad = await badTokens.wrongSecret();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await s.request('/fhir/CarePlan', { auth: bad })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // A valid token from the same address still works.
    expect((await s.request('/fhir/CarePlan?_count=1', { auth: await s.token({ kind: 'system', sub: 'ld-valid' }) })).status).toBe(200);
    const failures = lines.filter((l) => l.msg === 'authentication failed');
    expect(failures.length).toBe(5);
    expect(failures[0]).toMatchObject({ address: expect.any(String), route: '/fhir/CarePlan' });
    expect(JSON.stringify(lines)).not.toContain(bad);
    expect(JSON.stringify(lines)).not.toContain(bad.split('.')[2]!);
  });
});

describe('the log', () => {
  it('names the route, not the ids in the path, and never a client-chosen request id', async () => {
    const t = await s.token({ kind: 'system', sub: 'ld-log' });
    const res = await s.request('/fhir/Patient/191212121212/_history/1', { auth: t, headers: { 'X-Request-Id': '19121212-1212' } });
    expect(res.headers.get('x-request-id')).not.toBe('19121212-1212');
    await json(res);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('191212121212');
    expect(text).not.toContain('19121212-1212');
    expect(lines.some((l) => (l.req as { route?: string } | undefined)?.route === '/fhir/Patient/:id/_history/:id')).toBe(true);
  });
});
