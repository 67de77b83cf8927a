/**
 * Issue 4, must show: same-element conflict → recorded, visible, resolvable;
 * nothing silently lost. The rule (README "Sync"): the value that reached the
 * server first is kept; the other is recorded on the plan with both authors
 * until a person resolves it with an ordinary update.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FhirPeer } from '../support/fhir-peer.ts';
import type { SyncInstance } from '../support/sync-instance.ts';
import type { OpenConflict } from '../../src/sync/index.ts';
import { edit, readPlan, regionAndMunicipality, type RegionAndMunicipality, serverRead, type Loaded } from './fixtures.ts';

const CONFLICT = 'https://samplan.org/fhir/StructureDefinition/samplan-sync-conflict';
const REGION_TEXT = 'Distriktssköterskan ringer Tyra varje måndag.';
const KOMMUN_TEXT = 'Hemsjukvården ringer Tyra varannan torsdag.';

let scene: RegionAndMunicipality;
let peer: FhirPeer;
let a: SyncInstance;
let b: SyncInstance;
let loaded: Loaded;

beforeAll(async () => {
  scene = await regionAndMunicipality();
  ({ peer, a, b, loaded } = scene);
});

afterAll(() => scene?.stop());

describe('the same measure changed on both sides', () => {
  let conflict: OpenConflict;

  it("A's value reached the server first and is kept; B's value is recorded with both authors on A, B and the server", async () => {
    await edit<fhir4.CarePlan>(a, 'CarePlan', loaded.plan, (p) => {
      p.activity![1]!.detail!.description = REGION_TEXT;
    }, await a.token({ sub: 'anna.sjukskoterska' }));
    await edit<fhir4.CarePlan>(b, 'CarePlan', loaded.plan, (p) => {
      p.activity![1]!.detail!.description = KOMMUN_TEXT;
    }, await b.token({ sub: 'karin.hemsjukvard' }));
    await a.cycle();
    await b.cycle();
    await a.cycle();

    for (const plan of [await readPlan(a, loaded.plan), await readPlan(b, loaded.plan), (await serverRead<fhir4.CarePlan>(peer.baseUrl, 'CarePlan', loaded.plan)).body]) {
      expect(plan.activity![1]!.detail!.description).toBe(REGION_TEXT);
      const ext = plan.extension?.filter((e) => e.url === CONFLICT) ?? [];
      expect(ext).toHaveLength(1);
      const sub = (url: string) => ext[0]!.extension?.find((x) => x.url === url);
      expect(sub('element')?.valueString).toBe('/activity/1/detail/description');
      expect(JSON.parse(sub('kept')!.valueString!)).toBe(REGION_TEXT);
      expect(JSON.parse(sub('lost')!.valueString!)).toBe(KOMMUN_TEXT);
      expect(sub('keptBy')?.valueString).toBe('anna.sjukskoterska @ region');
      expect(sub('lostBy')?.valueString).toBe('karin.hemsjukvard @ kommun');
    }
  });

  it('/sync/status lists the open conflict on both instances', async () => {
    for (const on of [a, b]) {
      const s = await on.status();
      expect(s.conflicts).toHaveLength(1);
      conflict = s.conflicts[0]!;
      expect(conflict).toMatchObject({ resource: `CarePlan/${loaded.plan}`, element: '/activity/1/detail/description', keptBy: 'anna.sjukskoterska @ region', lostBy: 'karin.hemsjukvard @ kommun' });
      expect(JSON.parse(conflict.lost!)).toBe(KOMMUN_TEXT);
    }
  });

  it("a person resolves it on B by taking B's value and dropping the record; the resolution reaches A", async () => {
    await edit<fhir4.CarePlan>(b, 'CarePlan', loaded.plan, (p) => {
      p.activity![1]!.detail!.description = JSON.parse(conflict.lost!) as string;
      p.extension = p.extension?.filter((e) => e.url !== CONFLICT);
    });
    await b.cycle();
    await a.cycle();
    for (const on of [a, b]) {
      const plan = await readPlan(on, loaded.plan);
      expect(plan.activity![1]!.detail!.description).toBe(KOMMUN_TEXT);
      expect(plan.extension?.some((e) => e.url === CONFLICT)).toBe(false);
      expect((await on.status()).conflicts).toEqual([]);
    }
  });

  it('the plan history on A keeps every value, none silently dropped', async () => {
    const res = await a.read<fhir4.Bundle>(`CarePlan/${loaded.plan}/_history?_count=100`);
    const texts = (res.body.entry ?? []).map((e) => (e.resource as fhir4.CarePlan).activity?.[1]?.detail?.description);
    expect(texts).toContain(REGION_TEXT);
    expect(texts).toContain(KOMMUN_TEXT);
  });
});
