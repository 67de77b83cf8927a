/**
 * A recorded conflict names the author of the losing change: the person whose
 * local version introduced the value that lost — not whoever wrote the newest
 * local version, who may have changed something else since.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncInstance } from '../support/sync-instance.ts';
import { edit, readPlan, regionAndMunicipality, type Loaded, type RegionAndMunicipality } from './fixtures.ts';

const CONFLICT = 'https://samplan.org/fhir/StructureDefinition/samplan-sync-conflict';

let scene: RegionAndMunicipality;
let a: SyncInstance;
let b: SyncInstance;
let loaded: Loaded;

beforeAll(async () => {
  scene = await regionAndMunicipality();
  ({ a, b, loaded } = scene);
});
afterAll(() => scene?.stop());

describe('the losing change made by one person, then another element changed by a second', () => {
  it('lostBy names the first: the author of the lost value', async () => {
    await edit<fhir4.CarePlan>(b, 'CarePlan', loaded.plan, (p) => {
      p.activity![1]!.detail!.description = 'Kommunens text';
    }, await b.token({ sub: 'karin.hemsjukvard' }));
    await b.cycle();
    await edit<fhir4.CarePlan>(a, 'CarePlan', loaded.plan, (p) => {
      p.activity![1]!.detail!.description = 'Annas text';
    }, await a.token({ sub: 'anna.sjukskoterska' }));
    await edit<fhir4.CarePlan>(a, 'CarePlan', loaded.plan, (p) => {
      p.note = [{ text: 'Bert antecknade något annat' }];
    }, await a.token({ sub: 'bert.lakare' }));
    await a.cycle();

    const plan = await readPlan(a, loaded.plan);
    const ext = plan.extension?.filter((e) => e.url === CONFLICT) ?? [];
    expect(ext).toHaveLength(1);
    const sub = (url: string) => ext[0]!.extension?.find((x) => x.url === url)?.valueString;
    expect(sub('element')).toBe('/activity/1/detail/description');
    expect(JSON.parse(sub('lost')!)).toBe('Annas text');
    expect(sub('keptBy')).toBe('karin.hemsjukvard @ kommun');
    expect(sub('lostBy')).toBe('anna.sjukskoterska @ region');
    expect(plan.note?.[0]?.text).toBe('Bert antecknade något annat');
  });
});
