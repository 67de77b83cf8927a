/** create, read, vread, update, update-as-create, delete over real HTTP (https://hl7.org/fhir/R4/http.html). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carePlan, careTeam } from './fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe('create', () => {
  it('answers 201 with Location including _history, a weak ETag and the stored resource', async () => {
    const res = await s.request('/fhir/CarePlan', { method: 'POST', json: carePlan() });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    const body = (await res.json()) as fhir4.CarePlan;
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.meta?.versionId).toBe('1');
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(res.headers.get('location')).toBe(`${s.fhir}/CarePlan/${body.id}/_history/1`);
    expect(res.headers.get('last-modified')).toBeTruthy();
  });

  it('ignores an id sent by the client (the server assigns it)', async () => {
    const res = await s.request('/fhir/CareTeam', { method: 'POST', json: careTeam({ id: 'my-own-id' }) });
    expect(res.status).toBe(201);
    expect(((await res.json()) as fhir4.CareTeam).id).not.toBe('my-own-id');
  });

  it('honours Prefer: return=minimal', async () => {
    const res = await s.request('/fhir/CarePlan', { method: 'POST', json: carePlan(), headers: { Prefer: 'return=minimal' } });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('');
    expect(res.headers.get('location')).toContain('/_history/1');
  });
});

describe('read and vread', () => {
  it('reads the current version and every earlier version', async () => {
    const created = (await (await s.request('/fhir/CarePlan', { method: 'POST', json: carePlan() })).json()) as fhir4.CarePlan;
    const v2 = await s.request(`/fhir/CarePlan/${created.id}`, { method: 'PUT', json: { ...created, title: 'Ny titel' } });
    expect(v2.status).toBe(200);
    expect(v2.headers.get('etag')).toBe('W/"2"');

    const read = await s.request(`/fhir/CarePlan/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('W/"2"');
    expect(((await read.json()) as fhir4.CarePlan).title).toBe('Ny titel');

    const v1 = await s.request(`/fhir/CarePlan/${created.id}/_history/1`);
    expect(v1.status).toBe(200);
    const old = (await v1.json()) as fhir4.CarePlan;
    expect(old.title).toBe(carePlan().title);
    expect(old.meta?.versionId).toBe('1');

    expect((await s.request(`/fhir/CarePlan/${created.id}/_history/3`)).status).toBe(404);
    expect((await s.request(`/fhir/CarePlan/${created.id}/_history/x`)).status).toBe(404);
  });

  it('answers 404 with an OperationOutcome for an unknown id', async () => {
    const res = await s.request('/fhir/CarePlan/does-not-exist');
    expect(res.status).toBe(404);
    const oo = (await res.json()) as fhir4.OperationOutcome;
    expect(oo.resourceType).toBe('OperationOutcome');
    expect(oo.issue[0]?.code).toBe('not-found');
  });
});

describe('update', () => {
  it('creates with the client id when the resource does not exist (201)', async () => {
    const res = await s.request('/fhir/CareTeam/team-put-create', { method: 'PUT', json: careTeam({ id: 'team-put-create' }) });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`${s.fhir}/CareTeam/team-put-create/_history/1`);
    const again = await s.request('/fhir/CareTeam/team-put-create', { method: 'PUT', json: careTeam({ id: 'team-put-create', name: 'B' }) });
    expect(again.status).toBe(200);
    expect(again.headers.get('etag')).toBe('W/"2"');
  });

  it('applies If-Match and answers 412 on a mismatch, storing nothing', async () => {
    const created = (await (await s.request('/fhir/CarePlan', { method: 'POST', json: carePlan() })).json()) as fhir4.CarePlan;
    const stale = await s.request(`/fhir/CarePlan/${created.id}`, { method: 'PUT', json: { ...created, title: 'X' }, headers: { 'If-Match': 'W/"7"' } });
    expect(stale.status).toBe(412);
    expect(((await stale.json()) as fhir4.OperationOutcome).issue[0]?.diagnostics).toMatch(/version 1/);
    const ok = await s.request(`/fhir/CarePlan/${created.id}`, { method: 'PUT', json: { ...created, title: 'Y' }, headers: { 'If-Match': 'W/"1"' } });
    expect(ok.status).toBe(200);
    const current = (await (await s.request(`/fhir/CarePlan/${created.id}`)).json()) as fhir4.CarePlan;
    expect(current.title).toBe('Y');
    expect(current.meta?.versionId).toBe('2');
  });

  it('refuses an id in the body that differs from the URL, or a missing one (400)', async () => {
    const created = (await (await s.request('/fhir/CarePlan', { method: 'POST', json: carePlan() })).json()) as fhir4.CarePlan;
    expect((await s.request(`/fhir/CarePlan/${created.id}`, { method: 'PUT', json: { ...created, id: 'other' } })).status).toBe(400);
    expect((await s.request(`/fhir/CarePlan/${created.id}`, { method: 'PUT', json: carePlan() })).status).toBe(400);
    expect(((await (await s.request(`/fhir/CarePlan/${created.id}`)).json()) as fhir4.CarePlan).meta?.versionId).toBe('1');
  });

  it('refuses a resourceType that differs from the URL (400)', async () => {
    const res = await s.request('/fhir/CarePlan/abc', { method: 'PUT', json: careTeam({ id: 'abc' }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as fhir4.OperationOutcome).issue[0]?.expression).toEqual(['resourceType']);
  });
});

describe('delete', () => {
  it('deletes (204), then read is 410 Gone, history shows the deletion, and a second delete changes nothing', async () => {
    const created = (await (await s.request('/fhir/Goal', { method: 'POST', json: { resourceType: 'Goal', lifecycleStatus: 'active', description: { text: 'Gå till affären själv' }, subject: { reference: 'Patient/tolvan' } } })).json()) as fhir4.Goal;
    const del = await s.request(`/fhir/Goal/${created.id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    const gone = await s.request(`/fhir/Goal/${created.id}`);
    expect(gone.status).toBe(410);
    expect(((await gone.json()) as fhir4.OperationOutcome).issue[0]?.code).toBe('deleted');
    expect((await s.request(`/fhir/Goal/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    const hist = (await (await s.request(`/fhir/Goal/${created.id}/_history`)).json()) as fhir4.Bundle;
    expect(hist.total).toBe(2);
    expect(hist.entry?.[0]?.request?.method).toBe('DELETE');
    expect(hist.entry?.[0]?.resource).toBeUndefined();
    expect(hist.entry?.[1]?.resource?.id).toBe(created.id);
    // The deleted version is gone from search, the old version still readable.
    const found = (await (await s.request(`/fhir/Goal?_id=${created.id}`)).json()) as fhir4.Bundle;
    expect(found.total).toBe(0);
    expect((await s.request(`/fhir/Goal/${created.id}/_history/1`)).status).toBe(200);
  });

  it('answers 404 for deleting what never existed', async () => {
    expect((await s.request('/fhir/Goal/never-was', { method: 'DELETE' })).status).toBe(404);
  });

  it('lets a deleted resource be created again by PUT, as a new version', async () => {
    await s.request('/fhir/CareTeam/phoenix', { method: 'PUT', json: careTeam({ id: 'phoenix' }) });
    await s.request('/fhir/CareTeam/phoenix', { method: 'DELETE' });
    const back = await s.request('/fhir/CareTeam/phoenix', { method: 'PUT', json: careTeam({ id: 'phoenix' }) });
    expect(back.status).toBe(201);
    expect(back.headers.get('etag')).toBe('W/"3"');
  });
});
