/** Conditional create (If-None-Exist) and conditional update by identifier (https://hl7.org/fhir/R4/http.html#ccreate). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carePlan } from './fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const ident = (value: string): fhir4.Identifier[] => [{ system: 'https://region.example/id/careplan', value }];
const byIdentifier = (value: string): string => `identifier=${encodeURIComponent(`https://region.example/id/careplan|${value}`)}`;

describe('conditional create', () => {
  it('creates when nothing matches, returns the match (200) without a new version when one does', async () => {
    const first = await s.request('/fhir/CarePlan', { method: 'POST', json: carePlan({ identifier: ident('C-1') }), headers: { 'If-None-Exist': byIdentifier('C-1') } });
    expect(first.status).toBe(201);
    const created = (await first.json()) as fhir4.CarePlan;
    const second = await s.request('/fhir/CarePlan', { method: 'POST', json: carePlan({ identifier: ident('C-1'), title: 'other' }), headers: { 'If-None-Exist': byIdentifier('C-1') } });
    expect(second.status).toBe(200);
    expect(((await second.json()) as fhir4.CarePlan).id).toBe(created.id);
    const all = (await (await s.request(`/fhir/CarePlan?${byIdentifier('C-1')}`)).json()) as fhir4.Bundle;
    expect(all.total).toBe(1);
  });

  it('answers 412 when the criteria match several, and 400 for unknown criteria', async () => {
    await s.request('/fhir/CarePlan', { method: 'POST', json: carePlan({ identifier: ident('DUP') }) });
    await s.request('/fhir/CarePlan', { method: 'POST', json: carePlan({ identifier: ident('DUP') }) });
    expect((await s.request('/fhir/CarePlan', { method: 'POST', json: carePlan(), headers: { 'If-None-Exist': byIdentifier('DUP') } })).status).toBe(412);
    expect((await s.request('/fhir/CarePlan', { method: 'POST', json: carePlan(), headers: { 'If-None-Exist': 'colour=red' } })).status).toBe(400);
  });
});

describe('conditional update', () => {
  it('creates when nothing matches (201), then updates the one match (200)', async () => {
    const created = await s.request(`/fhir/CarePlan?${byIdentifier('U-1')}`, { method: 'PUT', json: carePlan({ identifier: ident('U-1') }) });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as fhir4.CarePlan).id;
    const updated = await s.request(`/fhir/CarePlan?${byIdentifier('U-1')}`, { method: 'PUT', json: carePlan({ identifier: ident('U-1'), title: 'Uppdaterad' }) });
    expect(updated.status).toBe(200);
    const body = (await updated.json()) as fhir4.CarePlan;
    expect(body.id).toBe(id);
    expect(body.meta?.versionId).toBe('2');
  });

  it('refuses several matches (412), a body id that is not the match (400), and no criteria (400)', async () => {
    await s.request('/fhir/CarePlan', { method: 'POST', json: carePlan({ identifier: ident('U-DUP') }) });
    await s.request('/fhir/CarePlan', { method: 'POST', json: carePlan({ identifier: ident('U-DUP') }) });
    expect((await s.request(`/fhir/CarePlan?${byIdentifier('U-DUP')}`, { method: 'PUT', json: carePlan() })).status).toBe(412);
    await s.request(`/fhir/CarePlan?${byIdentifier('U-2')}`, { method: 'PUT', json: carePlan({ identifier: ident('U-2') }) });
    expect((await s.request(`/fhir/CarePlan?${byIdentifier('U-2')}`, { method: 'PUT', json: carePlan({ id: 'someone-else' }) })).status).toBe(400);
    expect((await s.request('/fhir/CarePlan', { method: 'PUT', json: carePlan() })).status).toBe(400);
  });
});
