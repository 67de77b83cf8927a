/**
 * A server cannot make this instance claim a change it did not make: the
 * author tag of a server version, and the authors named in conflict records
 * that come from the server, are taken as this instance's own people only
 * when this instance can see it is so (its own push, unchanged; a local
 * version of that person holding that value). Otherwise they are recorded as
 * what they are: unverified claims.
 */
import { describe, expect, it } from 'vitest';
import { goal, sceneForFile, serverPut, serverRead } from './fixtures.ts';

const CONFLICT = 'https://samplan.org/fhir/StructureDefinition/samplan-sync-conflict';
const AUTHOR_TAG = 'urn:samplan:sync:author';

const current = sceneForFile();

/** A goal Anna wrote on A, pushed: the server's copy. */
async function sharedByAnna(id: string, text: string): Promise<fhir4.Goal> {
  const { a, peer } = current();
  expect((await a.write('PUT', `Goal/${id}`, goal(id, text), {}, await a.token({ sub: 'anna.sjukskoterska' }))).status).toBe(201);
  await a.cycle();
  return (await serverRead<fhir4.Goal>(peer.baseUrl, 'Goal', id)).body;
}

const records = (g: fhir4.Goal) =>
  (g.extension ?? []).filter((e) => e.url === CONFLICT).map((e) => Object.fromEntries((e.extension ?? []).map((x) => [x.url, x.valueString ?? x.valueDateTime])));

describe("a server version carrying this instance's author tag", () => {
  it("is not taken as this instance's change when it is not what this instance pushed", async () => {
    const { a } = current();
    const anna = await a.token({ sub: 'anna.sjukskoterska' });
    const there = await sharedByAnna('tagged', 'Annas första');
    expect(there.meta?.tag?.find((t) => t.system === AUTHOR_TAG)?.display).toBe('anna.sjukskoterska @ region');
    // Someone writes on the server, keeping the meta (source, author tag) of A's push.
    await serverPut(current().peer.baseUrl, { ...there, description: { text: 'Skrivet på servern' } });
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
    const { a } = current();
    const there = await sharedByAnna('injected', 'Det riktiga målet');
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
    await serverPut(current().peer.baseUrl, { ...there, extension: [...(there.extension ?? []), forged] });
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
