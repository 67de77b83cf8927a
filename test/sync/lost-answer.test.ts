/**
 * Issue 4, must show: A stopped between sending a push and recording it →
 * after restart no duplicate on the server. The peer stores the write and
 * then cuts the connection instead of answering, so A never records the push;
 * A's process is then replaced by a new one on the same database.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
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

for (const [what, id, before] of [
  ['a create', 'weight-new', 0],
  ['an update', 'weight-changed', 1],
] as const) {
  it(`${what} whose answer is lost is not stored twice after a restart`, async () => {
    if (before) {
      expect((await a.write('PUT', `Goal/${id}`, goal(id, 'Vikt varje morgon'))).status).toBeLessThan(300);
      expect((await a.cycle()).pushed).toBe(1);
    }
    const text = `Vikt varje morgon (${what})`;
    expect((await a.write('PUT', `Goal/${id}`, goal(id, text))).status).toBeLessThan(300);
    const versionsBefore = (await serverHistory(peer.baseUrl, 'Goal', id)).length;

    let dropped = 0;
    peer.dropAnswer = (method, path) => method === 'PUT' && path === `Goal/${id}` && dropped++ === 0;
    const failed = await a.cycle();
    peer.dropAnswer = undefined;
    expect(failed.error).toBeDefined(); // A does not know whether the push landed
    expect(dropped).toBe(1);
    // It did land:
    expect(await serverHistory(peer.baseUrl, 'Goal', id)).toHaveLength(versionsBefore + 1);

    a = s.a = await a.restart();
    const retried = await a.cycle();
    expect(retried.error).toBeUndefined();
    const history = await serverHistory(peer.baseUrl, 'Goal', id);
    expect(history).toHaveLength(versionsBefore + 1); // recognised, not sent again
    expect((history.at(-1) as fhir4.Goal).description.text).toBe(text);
    expect((await a.status()).queueDepth).toBe(0);
    expect((await a.cycle()).pushed).toBe(0);
  });
}
