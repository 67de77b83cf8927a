/**
 * The sync endpoints: GET /sync/status, POST /sync/run, POST /sync/notify —
 * admin scope only; clear answers when sync is not configured; a
 * notification makes a running engine pull at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirPeer, type FhirPeer } from '../support/fhir-peer.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startSyncInstance, type SyncInstance } from '../support/sync-instance.ts';
import { until } from './fixtures.ts';

let peer: FhirPeer;
let a: SyncInstance;
let b: SyncInstance;
let plain: TestServer;

beforeAll(async () => {
  peer = await startFhirPeer();
  a = await startSyncInstance('region', peer.baseUrl);
  // B runs its own timer, slowly: only a notification makes it pull soon.
  b = await startSyncInstance('kommun', peer.baseUrl, { autoStart: true, sync: { intervalMs: 3_600_000 } });
  plain = await startTestServer();
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await plain?.close();
  await peer?.stop();
});

describe('who may use the sync endpoints', () => {
  it('no token: 401', async () => {
    for (const [method, path] of [['GET', '/sync/status'], ['POST', '/sync/run'], ['POST', '/sync/notify']] as const) {
      const r = await a.request(path, { method, auth: null });
      expect(r.status).toBe(401);
      expect(((await r.json()) as fhir4.OperationOutcome).resourceType).toBe('OperationOutcome');
    }
  });

  it('a practitioner, or a system token without the admin scope: 403 naming the scope', async () => {
    const practitioner = await a.token({ kind: 'practitioner', fhirUser: 'Practitioner/x' });
    const system = await a.token({ scope: 'system/*.cruds' });
    for (const auth of [practitioner, system]) {
      for (const [method, path] of [['GET', '/sync/status'], ['POST', '/sync/run'], ['POST', '/sync/notify']] as const) {
        const r = await a.request(path, { method, auth });
        expect(r.status).toBe(403);
        const o = (await r.json()) as fhir4.OperationOutcome;
        expect(o.issue[0]?.diagnostics).toContain('__samplan.admin');
      }
    }
  });

  it('the admin scope: status with queue, times, error and conflicts', async () => {
    const r = await a.request('/sync/status');
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ instance: 'region', server: peer.baseUrl, queueDepth: 0, lastError: null, conflicts: [], refused: [] });
  });

  it("the sync server's Subscription may notify with the narrow scope, and do nothing else", async () => {
    const hook = await a.token({ scope: '__samplan.sync-notify' });
    expect((await a.request('/sync/notify', { method: 'POST', auth: hook })).status).toBe(200);
    expect((await a.request('/sync/status', { auth: hook })).status).toBe(403);
    expect((await a.request('/sync/run', { method: 'POST', auth: hook })).status).toBe(403);
  });

  it('every call and every refusal leaves an AuditEvent', async () => {
    const auditor = await a.token({ scope: 'system/AuditEvent.rs' });
    const events = (await (await a.request('/fhir/AuditEvent?_count=1000', { auth: auditor })).json()) as fhir4.Bundle;
    const sync = (events.entry ?? []).map((e) => e.resource as fhir4.AuditEvent).filter((e) => e.subtype?.some((c) => c.code?.startsWith('sync-')));
    const outcomes = sync.map((e) => `${e.subtype?.find((c) => c.code?.startsWith('sync-'))?.code} ${e.outcome}`);
    expect(outcomes).toContain('sync-status 0'); // the call above
    expect(outcomes).toContain('sync-run 4'); // the refusals before it
  });
});

describe('without FHIR_SYNC_URL', () => {
  it('status says sync is off; run and notify answer 409 with an OperationOutcome', async () => {
    expect(await (await plain.request('/sync/status')).json()).toMatchObject({ enabled: false });
    for (const path of ['/sync/run', '/sync/notify']) {
      const r = await plain.request(path, { method: 'POST' });
      expect(r.status).toBe(409);
      expect(((await r.json()) as fhir4.OperationOutcome).issue[0]?.diagnostics).toContain('FHIR_SYNC_URL');
    }
  });
});

describe('a rest-hook notification', () => {
  it('makes B pull now instead of at its next interval', async () => {
    const goal: fhir4.Goal = { resourceType: 'Goal', id: 'notified', lifecycleStatus: 'active', description: { text: 'Från regionen' }, subject: { reference: 'Patient/tyra' } };
    expect((await a.request('/fhir/Goal/notified', { method: 'PUT', json: goal })).status).toBe(201);
    await a.cycle();
    // B's own first cycle ran at start (before the goal existed); its next is an hour away.
    await until(async () => ((await (await b.request('/sync/status')).json()) as { lastPull: string | null }).lastPull !== null);
    expect((await b.request('/fhir/Goal/notified')).status).toBe(404);
    // The server's Subscription would POST the changed resource (payload application/fhir+json).
    const notified = await b.request('/sync/notify', { method: 'POST', json: goal });
    expect(notified.status).toBe(200);
    await until(async () => (await b.request('/fhir/Goal/notified')).status === 200);
  });
});
