/**
 * Issue 4 "Control": two processes of one instance on one database never push
 * the same change twice (a lease in the database).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lease } from '../../src/sync/lease.ts';
import { SyncState } from '../../src/sync/state.ts';
import { SyncEngine } from '../../src/sync/index.ts';
import type { FhirPeer } from '../support/fhir-peer.ts';
import type { SyncInstance } from '../support/sync-instance.ts';
import { type Scene, goal, scene, serverHistory } from './fixtures.ts';

let s: Scene;
let peer: FhirPeer;
let a: SyncInstance;

beforeAll(async () => {
  s = await scene();
  ({ peer, a } = s);
});

afterAll(() => s?.stop());


describe('two processes of one instance', () => {
  it('run cycles at the same time: one holds the lease, every change reaches the server once', async () => {
    // A second process: its own engine (and lease holder id) on A's database.
    const second = await SyncEngine.open(a.db, a.services.store, { remoteUrl: peer.baseUrl, localBase: 'https://region.samplan.test/fhir', instance: 'region' });
    try {
      for (let i = 1; i <= 20; i++) expect((await a.write('PUT', `Goal/l${i % 4}`, goal(`l${i % 4}`, `Version ${i}`))).status).toBeLessThan(300);
      const results = await Promise.all([...Array.from({ length: 4 }, () => a.engine.runOnce()), ...Array.from({ length: 4 }, () => second.runOnce())]);
      const ran = results.filter((r) => r.ran);
      expect(results.filter((r) => !r.ran).length).toBeGreaterThanOrEqual(4); // the other process stood aside
      expect(ran.reduce((n, r) => n + r.pushed, 0)).toBe(20);
      for (let k = 0; k < 4; k++) {
        const sources = (await serverHistory(peer.baseUrl, 'Goal', `l${k}`)).map((v) => v.meta?.source);
        expect(new Set(sources).size).toBe(sources.length);
        expect(sources).toHaveLength(5);
      }
      // The holder stops and hands the lease back: the other process carries on at once.
      const holderIsA = (await a.engine.runOnce()).ran;
      await (holderIsA ? a.engine : second).stop();
      expect((await a.write('PUT', 'Goal/l0', goal('l0', 'After the hand-over'))).status).toBe(200);
      const next = await (holderIsA ? second : a.engine).runOnce();
      expect(next).toMatchObject({ ran: true, pushed: 1 });
    } finally {
      await second.stop();
    }
  });
});

describe('the lease itself', () => {
  it('is held by one at a time, renewed by its holder, and free once it expires', async () => {
    let now = 1_000_000;
    const state = new SyncState(a.db.models.connection);
    await state.lease.deleteMany({});
    const p1 = new Lease(state.lease, 10_000, () => now);
    const p2 = new Lease(state.lease, 10_000, () => now);
    expect(await p1.acquire()).toBe(true);
    expect(await p2.acquire()).toBe(false);
    now += 6_000; // past half its life: the holder renews
    expect(await p1.acquire()).toBe(true);
    expect(p1.holds(9_000)).toBe(true);
    expect(await p2.acquire()).toBe(false);
    now += 10_001; // the holder went quiet: expired
    expect(p1.holds()).toBe(false);
    expect(await p2.acquire()).toBe(true);
    expect(await p1.acquire()).toBe(false);
  });

  it('of many processes racing for a free lease, exactly one gets it', async () => {
    const state = new SyncState(a.db.models.connection);
    await state.lease.deleteMany({});
    const leases = Array.from({ length: 10 }, () => new Lease(state.lease, 10_000));
    const got = await Promise.all(leases.map((l) => l.acquire()));
    expect(got.filter(Boolean)).toHaveLength(1);
  });
});
