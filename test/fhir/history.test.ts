/** Instance and type _history with _since and _count (https://hl7.org/fhir/R4/http.html#history). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { careTeam } from './fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
let between = '';
beforeAll(async () => {
  s = await startTestServer();
  await s.request('/fhir/CareTeam/h1', { method: 'PUT', json: careTeam({ id: 'h1', name: 'v1' }) });
  await s.request('/fhir/CareTeam/h1', { method: 'PUT', json: careTeam({ id: 'h1', name: 'v2' }) });
  await new Promise((r) => setTimeout(r, 1100));
  between = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 20));
  await s.request('/fhir/CareTeam/h1', { method: 'PUT', json: careTeam({ id: 'h1', name: 'v3' }) });
  await s.request('/fhir/CareTeam/h2', { method: 'PUT', json: careTeam({ id: 'h2' }) });
  await s.request('/fhir/CareTeam/h2', { method: 'DELETE' });
});
afterAll(() => s.close());

const bundle = async (path: string): Promise<fhir4.Bundle> => {
  const res = await s.request(path);
  expect(res.status).toBe(200);
  return (await res.json()) as fhir4.Bundle;
};

describe('instance history', () => {
  it('lists every version newest first, with request/response per entry', async () => {
    const b = await bundle('/fhir/CareTeam/h1/_history');
    expect(b.type).toBe('history');
    expect(b.total).toBe(3);
    expect(b.entry!.map((e) => (e.resource as fhir4.CareTeam).name)).toEqual(['v3', 'v2', 'v1']);
    expect(b.entry![2]!.request).toMatchObject({ method: 'POST', url: 'CareTeam' });
    expect(b.entry![0]!.request).toMatchObject({ method: 'PUT', url: 'CareTeam/h1' });
    expect(b.entry![0]!.response?.etag).toBe('W/"3"');
  });

  it('pages with _count and next', async () => {
    const first = await bundle('/fhir/CareTeam/h1/_history?_count=2');
    expect(first.entry).toHaveLength(2);
    const next = first.link!.find((l) => l.relation === 'next')!.url;
    const second = await bundle(next);
    expect(second.entry!.map((e) => e.resource!.meta!.versionId)).toEqual(['1']);
    expect(second.link!.find((l) => l.relation === 'next')).toBeUndefined();
  });

  it('filters by _since', async () => {
    const b = await bundle(`/fhir/CareTeam/h1/_history?_since=${encodeURIComponent(between)}`);
    expect(b.entry!.map((e) => e.resource!.meta!.versionId)).toEqual(['3']);
  });

  it('answers 404 for an unknown resource and 400 for a bad _since', async () => {
    expect((await s.request('/fhir/CareTeam/nobody/_history')).status).toBe(404);
    expect((await s.request('/fhir/CareTeam/h1/_history?_since=2024-01-01')).status).toBe(400);
    expect((await s.request('/fhir/CareTeam/h1/_history?_count=x')).status).toBe(400);
  });
});

describe('type history', () => {
  it('lists the versions of all resources of the type, deletions included', async () => {
    const b = await bundle('/fhir/CareTeam/_history');
    expect(b.total).toBe(5);
    expect(b.entry![0]!.request).toMatchObject({ method: 'DELETE', url: 'CareTeam/h2' });
    expect(b.entry![0]!.resource).toBeUndefined();
    const since = await bundle(`/fhir/CareTeam/_history?_since=${encodeURIComponent(between)}&_count=10`);
    expect(since.entry!.map((e) => `${e.fullUrl!.split('/').pop()}@${e.response!.etag}`)).toEqual(['h2@W/"2"', 'h2@W/"1"', 'h1@W/"3"']);
  });
});
