/**
 * A resource this instance creates on the server (not there when it looked)
 * must not overwrite one that another party created under the same id in the
 * meantime: that version reached the server first and is kept, and this
 * instance's is merged onto it (a same-element difference recorded as a
 * conflict), as for any change made there first.
 *
 * The other party writes at exactly that moment: when this instance's PUT
 * reaches the peer, before the peer handles it (test/support/fhir-peer.ts
 * beforeHandle). Nothing is timed.
 */
import { describe, expect, it } from 'vitest';
import { goal, sceneForFile, serverPut, serverRead } from './fixtures.ts';

const CONFLICT = 'https://samplan.org/fhir/StructureDefinition/samplan-sync-conflict';
const THEIRS = 'Skrivet direkt på servern av ett annat system';
const OURS = 'Skrivet i regionen';

const current = sceneForFile();

describe('a resource created on the server by someone else just before this instance creates it', () => {
  it('is not overwritten: their version stands, ours is merged onto it with the difference recorded', async () => {
    const { peer, a } = current();
    expect((await a.write('PUT', 'Goal/created-twice', goal('created-twice', OURS))).status).toBe(201);
    let armed = true;
    peer.beforeHandle = async (method, path) => {
      if (!armed || method !== 'PUT' || path !== 'Goal/created-twice') return;
      armed = false;
      // The other party: it, too, creates Goal/created-twice (after this instance looked and found nothing).
      await serverPut(peer.baseUrl, goal('created-twice', THEIRS));
    };
    try {
      await a.cycle();
    } finally {
      peer.beforeHandle = undefined;
    }
    expect(armed).toBe(false);
    await a.cycle();

    const there = (await serverRead<fhir4.Goal>(peer.baseUrl, 'Goal', 'created-twice')).body;
    const here = (await a.read<fhir4.Goal>('Goal/created-twice')).body;
    for (const g of [there, here]) {
      expect(g.description.text).toBe(THEIRS);
      const conflict = g.extension?.find((e) => e.url === CONFLICT);
      expect(conflict, JSON.stringify(g)).toBeDefined();
      const sub = (url: string) => conflict?.extension?.find((x) => x.url === url)?.valueString;
      expect(sub('element')).toBe('/description/text');
      expect(JSON.parse(sub('lost')!)).toBe(OURS);
    }
    expect((await a.status()).queueDepth).toBe(0);
  });
});
