/**
 * Issue 4, must show: create on A → on B after one cycle; update on B → on A;
 * delete propagates. Two samplan instances with their own databases, one
 * real FHIR server (the medplum peer), all over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirPeer, type FhirPeer } from '../support/fhir-peer.ts';
import { startSyncInstance, type SyncInstance } from '../support/sync-instance.ts';
import { edit, examplePatient, loadExample, readPlan, serverRead, type Loaded } from './fixtures.ts';

let peer: FhirPeer;
let a: SyncInstance;
let b: SyncInstance;
let loaded: Loaded;
let bPatient: string;

beforeAll(async () => {
  peer = await startFhirPeer();
  a = await startSyncInstance('region', peer.baseUrl);
  b = await startSyncInstance('kommun', peer.baseUrl);
  // B keeps its own record of the same person (same personnummer, another id).
  const p = await b.write<fhir4.Patient>('POST', 'Patient', examplePatient());
  expect(p.status).toBe(201);
  bPatient = p.body.id!;
  loaded = await loadExample(a);
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await peer?.stop();
});

describe('create on A arrives on B', () => {
  it('A pushes the plan, its team and its goals; B pulls them in one cycle each', async () => {
    const pushed = await a.cycle();
    expect(pushed).toMatchObject({ ran: true, pushed: 1 + 1 + loaded.goals.length });
    const pulled = await b.cycle();
    expect(pulled.pulled).toBe(1 + 1 + loaded.goals.length);
    const onB = await readPlan(b, loaded.plan);
    const onA = await readPlan(a, loaded.plan);
    const measures = (p: fhir4.CarePlan) => p.activity?.map((x) => [x.detail?.description, x.detail?.status]);
    expect(measures(onB)).toEqual(measures(onA));
    expect(onB.title).toBe(onA.title);
    // The patient's own measures name B's record of the patient.
    const own = onB.activity?.filter((x) => x.detail?.performer?.some((p) => p.type === 'Patient')) ?? [];
    expect(own.length).toBeGreaterThan(0);
    for (const x of own) expect(x.detail?.performer?.[0]?.reference).toBe(`Patient/${bPatient}`);
    for (const g of loaded.goals) expect((await b.read(`Goal/${g}`)).status).toBe(200);
    expect((await b.read(`CareTeam/${loaded.team}`)).status).toBe(200);
  });

  it("references: A's patient becomes B's own record of the same person; the server holds A's absolute URL and the personnummer", async () => {
    const onServer = await serverRead<fhir4.CarePlan>(peer.baseUrl, 'CarePlan', loaded.plan);
    expect(onServer.body.subject).toMatchObject({
      reference: `https://region.samplan.test/fhir/Patient/${loaded.patient}`,
      identifier: { system: 'http://electronichealth.se/identifier/personnummer', value: '193604179980' },
    });
    expect(onServer.body.careTeam?.[0]?.reference).toBe(`CareTeam/${loaded.team}`);
    expect((await readPlan(b, loaded.plan)).subject.reference).toBe(`Patient/${bPatient}`);
    expect((await readPlan(a, loaded.plan)).subject.reference).toBe(`Patient/${loaded.patient}`);
  });

  it('a second cycle on either side changes nothing (no echo, no duplicate)', async () => {
    const before = (await readPlan(a, loaded.plan)).meta?.versionId;
    expect(await a.cycle()).toMatchObject({ pushed: 0, pulled: 0, merged: 0 });
    expect(await b.cycle()).toMatchObject({ pushed: 0, pulled: 0, merged: 0 });
    expect((await readPlan(a, loaded.plan)).meta?.versionId).toBe(before);
    expect((await a.status()).queueDepth).toBe(0);
    expect((await b.status()).queueDepth).toBe(0);
  });
});

describe('update on B arrives on A', () => {
  it('a changed measure on B is on A after B pushes and A pulls', async () => {
    await edit<fhir4.CarePlan>(b, 'CarePlan', loaded.plan, (p) => {
      p.activity![1]!.detail!.description = 'Distriktssköterskan ringer Tyra varje vecka.';
    });
    expect((await b.cycle()).pushed).toBe(1);
    expect((await a.cycle()).pulled).toBe(1);
    const onA = await readPlan(a, loaded.plan);
    expect(onA.activity![1]!.detail!.description).toBe('Distriktssköterskan ringer Tyra varje vecka.');
    // A's own references are its own again.
    expect(onA.subject.reference).toBe(`Patient/${loaded.patient}`);
    // The update came from elsewhere: A does not send it back.
    expect(await a.cycle()).toMatchObject({ pushed: 0, pulled: 0 });
  });
});

describe('delete propagates', () => {
  it('a goal deleted on A is gone on the server and on B (410)', async () => {
    const goal = loaded.goals[2]!;
    const plan = await readPlan(a, loaded.plan);
    // The plan stops pointing at the goal first, then the goal goes.
    await edit<fhir4.CarePlan>(a, 'CarePlan', loaded.plan, (p) => {
      p.goal = (p.goal ?? []).filter((g) => g.reference !== `Goal/${goal}`);
    });
    expect(plan.goal?.some((g) => g.reference === `Goal/${goal}`)).toBe(true);
    expect((await a.write('DELETE', `Goal/${goal}`)).status).toBe(204);
    await a.cycle();
    expect((await serverRead(peer.baseUrl, 'Goal', goal)).status).toBe(404);
    const r = await b.cycle();
    expect(r.deleted).toBe(1);
    expect((await b.read(`Goal/${goal}`)).status).toBe(410);
    expect((await readPlan(b, loaded.plan)).goal?.some((g) => g.reference === `Goal/${goal}`)).toBe(false);
  });
});
