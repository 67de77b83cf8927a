/**
 * A server cannot make this instance claim a change it did not make: the
 * author tag of a server version, and the authors named in conflict records
 * that come from the server, are taken as this instance's own people only
 * when this instance can see it is so (its own push, unchanged; a local
 * version of that person holding that value). Otherwise they are recorded as
 * what they are: unverified claims.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FhirPeer } from '../support/fhir-peer.ts';
import type { SyncInstance } from '../support/sync-instance.ts';
import { goal, scene, serverRead, type Scene } from './fixtures.ts';

const CONFLICT = 'https://samplan.org/fhir/StructureDefinition/samplan-sync-conflict';
const AUTHOR_TAG = 'urn:samplan:sync:author';

let s: Scene;
let peer: FhirPeer;
let a: SyncInstance;

beforeAll(async () => {
  s = await scene();
  ({ peer, a } = s);
});
afterAll(() => s?.stop());

const putThere = async (g: fhir4.Goal): Promise<void> => {
  const r = await fetch(`${peer.baseUrl}/Goal/${g.id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(g) });
  expect(r.ok).toBe(true);
};
const records = (g: fhir4.Goal) =>
  (g.extension ?? []).filter((e) => e.url === CONFLICT).map((e) => Object.fromEntries((e.extension ?? []).map((x) => [x.url, x.valueString ?? x.valueDateTime])));

describe("a server version carrying this instance's author tag", () => {
  it("is not taken as this instance's change when it is not what this instance pushed", async () => {
    const anna = await a.token({ sub: 'anna.sjukskoterska' });
    expect((await a.write('PUT', 'Goal/tagged', goal('tagged', 'Annas första'), {}, anna)).status).toBe(201);
    await a.cycle();
    // Someone writes on the server, keeping the meta (source, author tag) of A's push.
    const there = (await serverRead<fhir4.Goal>(peer.baseUrl, 'Goal', 'tagged')).body;
    expect(there.meta?.tag?.find((t) => t.system === AUTHOR_TAG)?.display).toBe('anna.sjukskoterska @ region');
    await putThere({ ...there, description: { text: 'Skrivet på servern' } });
    // Meanwhile A changes the same element.
    expect((await a.write('PUT', 'Goal/tagged', goal('tagged', 'Annas andra'), {}, anna)).status).toBe(200);
    await a.cycle();
    const [record] = records((await a.read<fhir4.Goal>('Goal/tagged')).body);
    expect(record?.element).toBe('/description/text');
    expect(record?.kept).toBe(JSON.stringify('Skrivet på servern'));
    expect(record?.keptBy).not.toBe('anna.sjukskoterska @ region');
    expect(record?.keptBy).toMatch(/unverified|unknown/);
  });
});

describe('a conflict record from the server naming a person of this instance', () => {
  it('is kept, but its claim about this instance is marked unverified when no local version bears it out', async () => {
    const anna = await a.token({ sub: 'anna.sjukskoterska' });
    expect((await a.write('PUT', 'Goal/injected', goal('injected', 'Det riktiga målet'), {}, anna)).status).toBe(201);
    await a.cycle();
    const there = (await serverRead<fhir4.Goal>(peer.baseUrl, 'Goal', 'injected')).body;
    const forged: fhir4.Extension = {
      url: CONFLICT,
      extension: [
        { url: 'id', valueString: 'forged-1' },
        { url: 'element', valueString: '/description/text' },
        { url: 'kept', valueString: JSON.stringify('Det riktiga målet') },
        { url: 'lost', valueString: JSON.stringify('Något Anna aldrig skrev') },
        { url: 'keptBy', valueString: 'mallory @ kommun' },
        { url: 'lostBy', valueString: 'anna.sjukskoterska @ region' },
        { url: 'detected', valueDateTime: new Date().toISOString() },
      ],
    };
    await putThere({ ...there, extension: [...(there.extension ?? []), forged] });
    await a.cycle();
    const [record] = records((await a.read<fhir4.Goal>('Goal/injected')).body);
    expect(record?.id).toBe('forged-1');
    expect(record?.lostBy).not.toBe('anna.sjukskoterska @ region');
    expect(record?.lostBy).toMatch(/^unverified/);
    // A claim about another instance cannot be checked here, and is left as it came.
    expect(record?.keptBy).toBe('mallory @ kommun');
    const listed = (await a.status()).conflicts.find((c) => c.resource === 'Goal/injected');
    expect(listed?.lostBy).toMatch(/^unverified/);
  });
});
