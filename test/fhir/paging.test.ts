/** Paging by `next` links: every match exactly once (https://hl7.org/fhir/R4/http.html#paging). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carePlan } from './fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  // 250 plans for one patient, loaded in transactions of 50.
  for (let batch = 0; batch < 5; batch++) {
    const entry = Array.from({ length: 50 }, (_, i) => ({
      resource: carePlan({ subject: { reference: 'Patient/paging' }, title: `plan ${batch * 50 + i}` }),
      request: { method: 'POST' as const, url: 'CarePlan' },
    }));
    const res = await s.request('/fhir', { method: 'POST', json: { resourceType: 'Bundle', type: 'transaction', entry } });
    expect(res.status).toBe(200);
  }
}, 120_000);
afterAll(() => s.close());

async function follow(first: string): Promise<{ ids: string[]; pages: fhir4.Bundle[] }> {
  const ids: string[] = [];
  const pages: fhir4.Bundle[] = [];
  let url: string | undefined = first;
  while (url) {
    const page = (await (await s.request(url)).json()) as fhir4.Bundle;
    pages.push(page);
    ids.push(...(page.entry ?? []).map((e) => e.resource!.id!));
    url = page.link?.find((l) => l.relation === 'next')?.url;
    expect(pages.length).toBeLessThan(100);
  }
  return { ids, pages };
}

describe('paging through 250 plans', () => {
  it('returns each plan exactly once across next links, with a correct total on every page', async () => {
    const { ids, pages } = await follow('/fhir/CarePlan?patient=paging&_count=40');
    expect(ids).toHaveLength(250);
    expect(new Set(ids).size).toBe(250);
    expect(pages).toHaveLength(7);
    for (const p of pages) expect(p.total).toBe(250);
    expect(pages[0]!.link?.find((l) => l.relation === 'self')?.url).toBe(`${s.fhir}/CarePlan?patient=paging&_count=40`);
    expect(pages[1]!.link?.find((l) => l.relation === 'previous')).toBeDefined();
    expect(pages.at(-1)!.entry).toHaveLength(10);
  });

  it('keeps the sort order across pages (_sort=-_lastUpdated, ties broken by id)', async () => {
    const { pages } = await follow('/fhir/CarePlan?patient=paging&_count=100&_sort=-_lastUpdated');
    const stamps = pages.flatMap((p) => p.entry!.map((e) => e.resource!.meta!.lastUpdated!));
    expect(stamps).toEqual([...stamps].sort().reverse());
  });

  it('pages with _total=none by a full last page', async () => {
    const { ids, pages } = await follow('/fhir/CarePlan?patient=paging&_count=50&_total=none');
    expect(new Set(ids).size).toBe(250);
    expect(pages[0]!.total).toBeUndefined();
  });

  it('caps _count and refuses a bad one', async () => {
    const capped = (await (await s.request('/fhir/CarePlan?patient=paging&_count=5000')).json()) as fhir4.Bundle;
    expect(capped.entry).toHaveLength(250);
    expect((await s.request('/fhir/CarePlan?_count=-1')).status).toBe(400);
    expect((await s.request('/fhir/CarePlan?_count=ten')).status).toBe(400);
  });

  it('answers _summary=count with the total and no entries', async () => {
    const b = (await (await s.request('/fhir/CarePlan?patient=paging&_summary=count')).json()) as fhir4.Bundle;
    expect(b.total).toBe(250);
    expect(b.entry ?? []).toHaveLength(0);
    // No page follows a count: a client walking `next` links would otherwise loop.
    expect(b.link?.map((l) => l.relation)).not.toContain('next');
  });
});
