/**
 * Changes written on the sync server by others than samplan instances (an EHR
 * or integration engine talking to the server directly): a valid change is
 * taken in even when it kept another instance's `meta.source`; an invalid one
 * is refused, reported in /sync/status, and leaves local data untouched.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFhirPeer, type FhirPeer } from '../support/fhir-peer.ts';
import { startSyncInstance, type SyncInstance } from '../support/sync-instance.ts';
import { serverRead } from './fixtures.ts';

let peer: FhirPeer;
let a: SyncInstance;

beforeAll(async () => {
  peer = await startFhirPeer();
  a = await startSyncInstance('region', peer.baseUrl);
  const goal: fhir4.Goal = { resourceType: 'Goal', id: 'steps', lifecycleStatus: 'active', description: { text: '3000 steg om dagen' }, subject: { reference: 'Patient/tyra' } };
  expect((await a.write('PUT', 'Goal/steps', goal)).status).toBe(201);
  await a.cycle();
});

afterAll(async () => {
  await a?.close();
  await peer?.stop();
});

/** Writes on the server directly, as another system would. */
async function onServer(resource: fhir4.FhirResource): Promise<void> {
  const r = await fetch(`${peer.baseUrl}/${resource.resourceType}/${resource.id ?? ''}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(resource) });
  expect(r.status).toBeLessThan(300);
}

it("an EHR's edit that kept A's meta.source is still A's to take in, not mistaken for A's own echo", async () => {
  const there = (await serverRead<fhir4.Goal>(peer.baseUrl, 'Goal', 'steps')).body;
  expect(there.meta?.source).toMatch(/^urn:samplan:region\//);
  await onServer({ ...there, id: 'steps', description: { text: '4000 steg om dagen' } }); // meta (and its source) copied as read
  expect((await a.cycle()).pulled).toBe(1);
  expect((await a.read<fhir4.Goal>('Goal/steps')).body.description.text).toBe('4000 steg om dagen');
});

it('an invalid resource on the server is refused, reported, and changes nothing here', async () => {
  const before = (await a.read<fhir4.Goal>('Goal/steps')).body;
  // lifecycleStatus is required, and "maybe" is not one of its codes.
  await onServer({ resourceType: 'Goal', id: 'steps', lifecycleStatus: 'maybe', description: { text: 'trasig' }, subject: { reference: 'Patient/tyra' } } as unknown as fhir4.FhirResource);
  const r = await a.cycle();
  expect(r.refused).toBe(1);
  expect(r.pulled).toBe(0);
  const after = (await a.read<fhir4.Goal>('Goal/steps')).body;
  expect(after).toEqual(before);
  const status = await a.status();
  expect(status.refused).toHaveLength(1);
  expect(status.refused[0]).toMatchObject({ resource: 'Goal/steps' });
  expect(status.refused[0]?.message).toMatch(/not valid here/);
  expect(status.refused[0]?.message).toMatch(/lifecycleStatus/);
});

it('a new resource created on the server by another system arrives here', async () => {
  await onServer({ resourceType: 'Goal', id: 'from-ehr', lifecycleStatus: 'proposed', description: { text: 'Från journalsystemet' }, subject: { reference: 'Patient/tyra' } });
  const r = await a.cycle();
  expect(r.pulled).toBe(1);
  expect((await a.read<fhir4.Goal>('Goal/from-ehr')).body.description.text).toBe('Från journalsystemet');
  // It is now shared: A's next edit goes out with If-Match on the server's version and lands.
  const mine = (await a.read<fhir4.Goal>('Goal/from-ehr')).body;
  expect((await a.write('PUT', 'Goal/from-ehr', { ...mine, lifecycleStatus: 'active' })).status).toBe(200);
  expect((await a.cycle()).pushed).toBe(1);
  expect((await serverRead<fhir4.Goal>(peer.baseUrl, 'Goal', 'from-ehr')).body.lifecycleStatus).toBe('active');
});
