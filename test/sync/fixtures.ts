/** Data for the sync tests: the Skåne patientkontrakt example, and small helpers. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { startFhirPeer, type FhirPeer } from '../support/fhir-peer.ts';
import { startSyncInstance, type SyncInstance } from '../support/sync-instance.ts';

export function exampleBundle(name = 'patientkontrakt-skane'): fhir4.Bundle {
  return JSON.parse(readFileSync(new URL(`../../fhir-examples/${name}.bundle.json`, import.meta.url), 'utf8')) as fhir4.Bundle;
}

/** The ids the transaction gave each type's resources, in bundle order. */
export interface Loaded {
  ids: Record<string, string[]>;
  plan: string;
  team: string;
  goals: string[];
  patient: string;
}

/** Loads an example bundle on an instance (one transaction) and says what got which id. */
export async function loadExample(on: SyncInstance, name?: string): Promise<Loaded> {
  const bundle = exampleBundle(name);
  const r = await on.write<fhir4.Bundle>('POST', '', bundle);
  expect(r.status).toBe(200);
  const ids: Record<string, string[]> = {};
  for (const e of r.body.entry ?? []) {
    const m = /([A-Z][A-Za-z]+)\/([^/]+)\/_history\//.exec(e.response?.location ?? '');
    if (m) (ids[m[1]!] ??= []).push(m[2]!);
  }
  return { ids, plan: ids.CarePlan![0]!, team: ids.CareTeam![0]!, goals: ids.Goal!, patient: ids.Patient![0]! };
}

/** The example's Patient alone, as another instance keeps its own record of the same person. */
export function examplePatient(name?: string): fhir4.Patient {
  const p = exampleBundle(name).entry!.find((e) => e.resource?.resourceType === 'Patient')!.resource as fhir4.Patient;
  return { ...p };
}

export async function readPlan(on: SyncInstance, id: string): Promise<fhir4.CarePlan> {
  const r = await on.read<fhir4.CarePlan>(`CarePlan/${id}`);
  expect(r.status).toBe(200);
  return r.body;
}

/** PUT of a changed copy of the current version, with If-Match on it. */
export async function edit<T extends fhir4.Resource>(on: SyncInstance, type: string, id: string, change: (r: T) => void, auth?: string): Promise<T> {
  const current = await on.read<T>(`${type}/${id}`);
  expect(current.status).toBe(200);
  const next = structuredClone(current.body);
  change(next);
  const r = await on.write<T>('PUT', `${type}/${id}`, next, { 'If-Match': `W/"${current.body.meta?.versionId}"` }, auth);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

/** The server's history of a resource, oldest first (the peer answers newest first). */
export async function serverHistory(peerUrl: string, type: string, id: string): Promise<fhir4.Resource[]> {
  const res = await fetch(`${peerUrl}/${type}/${id}/_history`);
  const b = (await res.json()) as fhir4.Bundle;
  return (b.entry ?? []).map((e) => e.resource!).reverse();
}

export async function serverRead<T = fhir4.Resource>(peerUrl: string, type: string, id: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${peerUrl}/${type}/${id}`);
  return { status: res.status, body: (await res.json()) as T };
}

/** Writes on the server directly, as another system would; fails the test unless it is stored. */
export async function serverPut<T extends fhir4.Resource>(peerUrl: string, r: T): Promise<void> {
  const res = await fetch(`${peerUrl}/${r.resourceType}/${r.id ?? ''}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(r) });
  expect(res.ok, await res.text()).toBe(true);
}

/** Waits for a condition (the deadline only stops a hung test: nothing here is a timing assertion). */
export async function until(cond: () => Promise<boolean>, deadlineMs = 20_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A small valid Goal of the test patient. */
export function goal(id: string, text: string): fhir4.Goal {
  return { resourceType: 'Goal', id, lifecycleStatus: 'active', description: { text }, subject: { reference: 'Patient/tyra', display: 'Tyra Testsson' } };
}

export interface Scene {
  peer: FhirPeer;
  /** The region's instance. Tests that restart it put the new one here, so stop() closes that one. */
  a: SyncInstance;
  /** The municipality's instance. */
  b: SyncInstance;
  stop(): Promise<void>;
}

/** One server and two fresh instances, A ('region') and B ('kommun'), each on its own database. */
export async function scene(): Promise<Scene> {
  const peer = await startFhirPeer();
  const a = await startSyncInstance('region', peer.baseUrl);
  const b = await startSyncInstance('kommun', peer.baseUrl);
  const out: Scene = {
    peer, a, b,
    async stop() {
      await out.a.close();
      await out.b.close();
      await peer.stop();
    },
  };
  return out;
}

/** A scene for the whole test file: started before its tests, stopped after them. Call the answer inside a test. */
export function sceneForFile(): () => Scene {
  let s: Scene | undefined;
  beforeAll(async () => {
    s = await scene();
  });
  afterAll(() => s?.stop());
  return () => {
    if (!s) throw new Error('the scene is not started (call this inside a test)');
    return s;
  };
}

export interface RegionAndMunicipality extends Scene {
  loaded: Loaded;
}

/** The usual scene: A with the Skåne example plan, B with its own record of the patient, both synced once. */
export async function regionAndMunicipality(): Promise<RegionAndMunicipality> {
  const s = await scene();
  expect((await s.b.write('POST', 'Patient', examplePatient())).status).toBe(201);
  const loaded = await loadExample(s.a);
  await s.a.cycle();
  await s.b.cycle();
  return Object.assign(s, { loaded });
}
