/**
 * Issue 4, must show: concurrent edits of different activities on A and B →
 * both kept, on A, B and the server. Also: a goal added on one side while the
 * other edits a measure.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FhirPeer } from '../support/fhir-peer.ts';
import type { SyncInstance } from '../support/sync-instance.ts';
import { edit, readPlan, regionAndMunicipality, type RegionAndMunicipality, serverRead, type Loaded } from './fixtures.ts';

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

const description = (p: fhir4.CarePlan, i: number) => p.activity?.[i]?.detail?.description;

it('A edits activity 1 while B edits activity 3 and adds a goal: every change survives everywhere', async () => {
  await edit<fhir4.CarePlan>(a, 'CarePlan', loaded.plan, (p) => {
    p.activity![0]!.detail!.description = 'Region: läkemedelsgenomgång var tredje månad.';
  });
  const goal = await b.write<fhir4.Goal>('POST', 'Goal', {
    resourceType: 'Goal',
    lifecycleStatus: 'active',
    description: { text: 'Tyra klarar att duscha själv med stöd av pall.' },
    subject: (await readPlan(b, loaded.plan)).subject,
  });
  expect(goal.status, JSON.stringify(goal.body)).toBe(201);
  await edit<fhir4.CarePlan>(b, 'CarePlan', loaded.plan, (p) => {
    p.activity![2]!.detail!.description = 'Kommun: sjuksköterska kontrollerar ödem två gånger i veckan.';
    p.goal = [...(p.goal ?? []), { reference: `Goal/${goal.body.id}` }];
  });

  await a.cycle(); // A's edit reaches the server first
  const bRun = await b.cycle(); // B's push meets A's version: merged, then pushed
  expect(bRun.merged).toBeGreaterThanOrEqual(1);
  await a.cycle(); // A pulls the merge

  for (const plan of [await readPlan(a, loaded.plan), await readPlan(b, loaded.plan), (await serverRead<fhir4.CarePlan>(peer.baseUrl, 'CarePlan', loaded.plan)).body]) {
    expect(description(plan, 0)).toBe('Region: läkemedelsgenomgång var tredje månad.');
    expect(description(plan, 2)).toBe('Kommun: sjuksköterska kontrollerar ödem två gånger i veckan.');
    expect(plan.goal?.map((g) => g.reference)).toContain(`Goal/${goal.body.id}`);
    expect(plan.extension?.some((e) => e.url.endsWith('samplan-sync-conflict'))).toBe(false);
  }
  expect((await a.read(`Goal/${goal.body.id}`)).status).toBe(200);
  expect((await a.status()).conflicts).toEqual([]);
  expect((await b.status()).queueDepth).toBe(0);
  // Settled: nothing more moves.
  expect(await a.cycle()).toMatchObject({ pushed: 0, pulled: 0 });
  expect(await b.cycle()).toMatchObject({ pushed: 0, pulled: 0 });
});

it('both sides edit different activities before either syncs, A pulling first: also merged', async () => {
  await edit<fhir4.CarePlan>(a, 'CarePlan', loaded.plan, (p) => {
    p.activity![3]!.detail!.description = 'Hemtjänst: inköp och städning varje vecka.';
  });
  await edit<fhir4.CarePlan>(b, 'CarePlan', loaded.plan, (p) => {
    p.activity![4]!.detail!.status = 'in-progress';
  });
  await b.cycle();
  await a.cycle(); // A's push gets 412, A merges B's change and pushes the merge
  await b.cycle();
  for (const plan of [await readPlan(a, loaded.plan), await readPlan(b, loaded.plan)]) {
    expect(description(plan, 3)).toBe('Hemtjänst: inköp och städning varje vecka.');
    expect(plan.activity?.[4]?.detail?.status).toBe('in-progress');
  }
});
