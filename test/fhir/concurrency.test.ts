/** Optimistic locking under races: one conditional write wins, nothing is lost or invented. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carePlan } from './fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

async function createPlan(): Promise<fhir4.CarePlan> {
  return (await (await s.request('/fhir/CarePlan', { method: 'POST', json: carePlan() })).json()) as fhir4.CarePlan;
}

async function historyOf(id: string): Promise<fhir4.Bundle> {
  return (await (await s.request(`/fhir/CarePlan/${id}/_history?_count=100`)).json()) as fhir4.Bundle;
}

describe('20 concurrent updates with the same If-Match', () => {
  it('exactly one succeeds, the others get 412, and the history holds each successful version once', async () => {
    const plan = await createPlan();
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        s.request(`/fhir/CarePlan/${plan.id}`, { method: 'PUT', json: { ...plan, title: `writer ${i}` }, headers: { 'If-Match': 'W/"1"' } }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((x) => x === 200)).toHaveLength(1);
    expect(statuses.filter((x) => x === 412)).toHaveLength(19);

    const hist = await historyOf(plan.id!);
    const versions = hist.entry!.map((e) => e.resource!.meta!.versionId);
    expect(versions).toEqual(['2', '1']);
    expect(hist.total).toBe(2);
    const winner = (await (await s.request(`/fhir/CarePlan/${plan.id}`)).json()) as fhir4.CarePlan;
    expect(winner.title).toMatch(/^writer \d+$/);
  });
});

describe('concurrent updates without If-Match', () => {
  it('all succeed, one after another: versions 2..11, each exactly once, none lost', async () => {
    const plan = await createPlan();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => s.request(`/fhir/CarePlan/${plan.id}`, { method: 'PUT', json: { ...plan, title: `t${i}` } }).then(async (r) => ({ status: r.status, body: (await r.json()) as fhir4.CarePlan }))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const given = results.map((r) => Number(r.body.meta!.versionId)).sort((a, b) => a - b);
    expect(given).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const hist = await historyOf(plan.id!);
    expect(hist.entry!.map((e) => Number(e.resource!.meta!.versionId))).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    // Every version in history carries the title its writer sent.
    const titles = new Set(hist.entry!.slice(0, 10).map((e) => (e.resource as fhir4.CarePlan).title));
    expect(titles).toEqual(new Set(results.map((r) => r.body.title)));
  });

  it('concurrent PATCHes all apply: each is redone on the newest version, so no edit is lost', async () => {
    const plan = await createPlan();
    await s.request(`/fhir/CarePlan/${plan.id}`, { method: 'PUT', json: { ...plan, note: [{ text: 'start' }] } });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        s.request(`/fhir/CarePlan/${plan.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json-patch+json' }, body: JSON.stringify([{ op: 'add', path: '/note/-', value: { text: `note ${i}` } }]) }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    const current = (await (await s.request(`/fhir/CarePlan/${plan.id}`)).json()) as fhir4.CarePlan;
    expect(current.meta?.versionId).toBe('10');
    expect(new Set(current.note?.map((n) => n.text))).toEqual(new Set(['start', ...Array.from({ length: 8 }, (_, i) => `note ${i}`)]));
  });
});

describe('concurrent PUT-creates of the same new id', () => {
  it('one creates (201), the others update it (200); versions are consecutive', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        s.request('/fhir/CarePlan/race-create', { method: 'PUT', json: carePlan({ id: 'race-create', title: `c${i}` }) }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((x) => x === 201)).toHaveLength(1);
    expect(statuses.filter((x) => x === 200)).toHaveLength(5);
    const hist = await historyOf('race-create');
    expect(hist.entry!.map((e) => e.resource!.meta!.versionId)).toEqual(['6', '5', '4', '3', '2', '1']);
  });
});
