/**
 * Issue 4, must show: peer stopped while A takes 50 writes, then restarted →
 * every write arrives exactly once, in order. While the server is down writes
 * are accepted locally and wait in the outbox; sync reports the error and
 * backs off.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FhirPeer } from '../support/fhir-peer.ts';
import { startSyncInstance, type SyncInstance } from '../support/sync-instance.ts';
import { type Scene, goal, scene, serverHistory, until } from './fixtures.ts';

let s: Scene;
let peer: FhirPeer;
let a: SyncInstance;
let b: SyncInstance;

beforeAll(async () => {
  s = await scene();
  ({ peer, a, b } = s);
});

afterAll(() => s?.stop());


it('50 writes while the server is down: accepted locally, then each arrives exactly once, in order', async () => {
  await peer.stop();
  // 30 updates of one goal, and 20 new goals: 50 writes.
  for (let i = 1; i <= 30; i++) {
    const r = await a.write('PUT', 'Goal/walking', goal('walking', `Promenad ${i} minuter om dagen`));
    expect(r.status).toBe(i === 1 ? 201 : 200);
  }
  for (let i = 1; i <= 20; i++) expect((await a.write('PUT', `Goal/g${i}`, goal(`g${i}`, `Delmål ${i}`))).status).toBe(201);

  const down = await a.cycle();
  expect(down.error).toMatch(/ECONNREFUSED|fetch failed|no answer/);
  const status = await a.status();
  expect(status.queueDepth).toBe(50);
  expect(status.lastError?.message).toBe(down.error);
  expect(status.consecutiveFailures).toBe(1);

  await peer.restart();
  const up = await a.cycle();
  expect(up.error).toBeUndefined();
  expect(up.pushed).toBe(50);
  expect((await a.status()).queueDepth).toBe(0);

  // Exactly once, in order: the server's history of the goal is A's versions 1..30, each once.
  const history = await serverHistory(peer.baseUrl, 'Goal', 'walking');
  expect(history.map((v) => v.meta?.source)).toEqual(Array.from({ length: 30 }, (_, i) => `urn:samplan:region/Goal/walking/_history/${i + 1}`));
  expect(history.map((v) => (v as fhir4.Goal).description.text)).toEqual(Array.from({ length: 30 }, (_, i) => `Promenad ${i + 1} minuter om dagen`));
  for (let i = 1; i <= 20; i++) expect(await serverHistory(peer.baseUrl, 'Goal', `g${i}`)).toHaveLength(1);

  // Nothing goes twice: another cycle pushes nothing.
  expect((await a.cycle()).pushed).toBe(0);
  // And B sees the last state.
  await b.cycle();
  expect(((await b.read<fhir4.Goal>('Goal/walking')).body).description.text).toBe('Promenad 30 minuter om dagen');
});

it('a running engine backs off while the server is down and catches up by itself when it returns', async () => {
  const c = await startSyncInstance('vardcentral', peer.baseUrl, { autoStart: true, sync: { intervalMs: 100, maxBackoffMs: 400 } });
  try {
    await peer.stop();
    expect((await c.write('PUT', 'Goal/c1', goal('c1', 'Under avbrottet'))).status).toBe(201);
    await until(async () => (await c.status()).consecutiveFailures >= 2);
    const s = await c.status();
    expect(s.queueDepth).toBe(1);
    expect(s.nextAttemptInMs).not.toBeNull();
    await peer.restart();
    await until(async () => (await c.status()).queueDepth === 0);
    expect(await serverHistory(peer.baseUrl, 'Goal', 'c1')).toHaveLength(1);
  } finally {
    await c.close();
  }
});
