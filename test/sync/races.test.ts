/**
 * Changes racing each other through the server, each a way a change could be
 * lost without a trace: a second server change arriving before a merge went
 * out, a deletion crossing an edit, an old version restored on the server, a
 * version the server refuses followed by its fix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FhirPeer } from '../support/fhir-peer.ts';
import type { SyncInstance } from '../support/sync-instance.ts';
import { type Scene, goal, scene, serverHistory, serverRead } from './fixtures.ts';

let s: Scene;
let peer: FhirPeer;
let a: SyncInstance;
let b: SyncInstance;

beforeAll(async () => {
  s = await scene();
  ({ peer, a, b } = s);
});

afterAll(() => s?.stop());

/** Writes `g` on `on` (update-as-create), failing the test on an error. */
async function put(on: SyncInstance, g: fhir4.Goal): Promise<void> {
  const r = await on.write('PUT', `Goal/${g.id}`, g);
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
}

const text = async (on: SyncInstance, id: string) => (await on.read<fhir4.Goal>(`Goal/${id}`)).body.description.text;

async function shared(id: string, initial: string): Promise<void> {
  await put(a, goal(id, initial));
  await a.cycle();
  await b.cycle();
}

describe('a second server change before a merge went out', () => {
  it('is merged against the version the first merge was made onto, so it is not lost', async () => {
    await shared('twice', 'a');
    // B changes the description and pushes (R1); A changes another element.
    await put(b, goal('twice', 'b'));
    await b.cycle();
    await put(a, { ...goal('twice', 'a'), statusReason: 'Region: kontrolleras vid besöket' } as fhir4.Goal);
    // A's push meets R1 (412) and merges onto it; pushing the merge then fails (server busy).
    let puts = 0;
    peer.refuse = (method, path) => (method === 'PUT' && path === 'Goal/twice' && ++puts === 2 ? 503 : undefined);
    const failed = await a.cycle();
    peer.refuse = undefined;
    expect(failed.error).toMatch(/503/);
    expect(puts).toBe(2);
    expect((await a.read<fhir4.Goal>('Goal/twice')).body.description.text).toBe('b'); // the merge, not yet out
    // B changes the description back (R2) before A's merge went out.
    await put(b, goal('twice', 'a'));
    await b.cycle();
    await a.cycle();
    await b.cycle();
    for (const on of [a, b]) {
      const g = (await on.read<fhir4.Goal & { statusReason?: string }>('Goal/twice')).body;
      expect(g.description.text).toBe('a'); // B's revert survived
      expect(g.statusReason).toBe('Region: kontrolleras vid besöket'); // and A's change
    }
    expect((await a.status()).queueDepth).toBe(0);
  });
});

describe('a deletion crossing an edit', () => {
  it("A deletes while B's edit is already on the server: the edit outlives the deletion everywhere", async () => {
    await shared('crossed', 'först');
    await put(b, goal('crossed', 'ändrad av kommunen'));
    await b.cycle();
    expect((await a.write('DELETE', 'Goal/crossed')).status).toBe(204);
    await a.cycle();
    await b.cycle();
    expect((await serverRead<fhir4.Goal>(peer.baseUrl, 'Goal', 'crossed')).body.description.text).toBe('ändrad av kommunen');
    expect(await text(a, 'crossed')).toBe('ändrad av kommunen');
    expect(await text(b, 'crossed')).toBe('ändrad av kommunen');
  });

  it('a deletion of the version everyone has goes through', async () => {
    await shared('gone', 'snart borta');
    expect((await a.write('DELETE', 'Goal/gone')).status).toBe(204);
    await a.cycle();
    await b.cycle();
    expect((await serverRead(peer.baseUrl, 'Goal', 'gone')).status).toBe(404);
    expect((await b.read('Goal/gone')).status).toBe(410);
  });
});

describe('an older version restored on the server', () => {
  it("is a change like any other, not mistaken for A's own echo", async () => {
    await shared('restored', 'första');
    await put(a, goal('restored', 'andra'));
    await a.cycle();
    await b.cycle();
    // Someone restores version 1 on the server (its content and meta.source, as read from the history).
    const first = (await serverHistory(peer.baseUrl, 'Goal', 'restored'))[0]!;
    const r = await fetch(`${peer.baseUrl}/Goal/restored`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(first) });
    expect(r.status).toBe(200);
    await a.cycle();
    await b.cycle();
    expect(await text(a, 'restored')).toBe('första');
    expect(await text(b, 'restored')).toBe('första');
  });
});

describe('a version the server refuses', () => {
  it('is reported, and the fix written after it goes out instead', async () => {
    await shared('refused', 'ok');
    peer.refuse = (method, path, body) => (method === 'PUT' && path === 'Goal/refused' && (body as fhir4.Goal).description?.text === 'not ok there' ? 422 : undefined);
    try {
      await put(a, goal('refused', 'not ok there'));
      const first = await a.cycle();
      expect(first.refused).toBe(1);
      const status = await a.status();
      expect(status.refused).toEqual([expect.objectContaining({ resource: 'Goal/refused' })]);
      expect(status.refused[0]?.message).toMatch(/422/);
      await put(a, goal('refused', 'fixed'));
      const second = await a.cycle();
      expect(second.pushed).toBe(1);
      expect((await serverRead<fhir4.Goal>(peer.baseUrl, 'Goal', 'refused')).body.description.text).toBe('fixed');
      expect((await a.status()).queueDepth).toBe(0);
      expect((await a.status()).refused).toEqual([]);
    } finally {
      peer.refuse = undefined;
    }
  });
});
