/**
 * The patient's agreement across instances: agreed on A, it shows on B; a
 * change of the agreed measures made elsewhere — on B, or on the server by a
 * system that knows nothing of agreements — leaves it stale everywhere until
 * the patient agrees again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFhirPeer, type FhirPeer } from '../support/fhir-peer.ts';
import { startSyncInstance, type SyncInstance } from '../support/sync-instance.ts';
import { edit, examplePatient, loadExample, readPlan, serverRead, type Loaded } from './fixtures.ts';

const AGREEMENT = 'https://samplan.org/fhir/StructureDefinition/samplan-agreement';
const statusOf = (p: fhir4.CarePlan) => p.extension?.find((e) => e.url === AGREEMENT)?.extension?.find((x) => x.url === 'status')?.valueCode;

let peer: FhirPeer;
let a: SyncInstance;
let b: SyncInstance;
let loaded: Loaded;

beforeAll(async () => {
  peer = await startFhirPeer();
  a = await startSyncInstance('region', peer.baseUrl);
  b = await startSyncInstance('kommun', peer.baseUrl);
  await b.write('POST', 'Patient', examplePatient());
  loaded = await loadExample(a);
  const patient = await a.token({ kind: 'patient', fhirUser: `Patient/${loaded.patient}` });
  const agreed = await a.request(`/fhir/CarePlan/${loaded.plan}/$agree`, { method: 'POST', auth: patient });
  expect(agreed.status).toBe(200);
  await a.cycle();
  await b.cycle();
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await peer?.stop();
});

it('the agreement given on A is on B', async () => {
  expect(statusOf(await readPlan(a, loaded.plan))).toBe('current');
  expect(statusOf(await readPlan(b, loaded.plan))).toBe('current');
});

it('a measure changed on the server by a system that does not know agreements: stale on A and B', async () => {
  const there = (await serverRead<fhir4.CarePlan>(peer.baseUrl, 'CarePlan', loaded.plan)).body;
  there.activity![0]!.detail!.description = 'Läkemedelsgenomgång en gång om året.';
  const put = await fetch(`${peer.baseUrl}/CarePlan/${loaded.plan}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(there) });
  expect(put.status).toBe(200);
  await a.cycle();
  await b.cycle();
  for (const on of [a, b]) {
    const plan = await readPlan(on, loaded.plan);
    expect(plan.activity![0]!.detail!.description).toBe('Läkemedelsgenomgång en gång om året.');
    expect(statusOf(plan)).toBe('stale');
  }
});

it('agreeing again on B makes it current on A too', async () => {
  const patientOnB = (await b.read<fhir4.Bundle>('Patient?identifier=http://electronichealth.se/identifier/personnummer|193604179980')).body.entry![0]!.resource!.id!;
  const token = await b.token({ kind: 'patient', fhirUser: `Patient/${patientOnB}` });
  const agreed = await b.request(`/fhir/CarePlan/${loaded.plan}/$agree`, { method: 'POST', auth: token });
  expect(agreed.status).toBe(200);
  await b.cycle();
  await a.cycle();
  expect(statusOf(await readPlan(a, loaded.plan))).toBe('current');
  // Progress on B (an activity started) is no change of what was agreed: current on both.
  await edit<fhir4.CarePlan>(b, 'CarePlan', loaded.plan, (p) => {
    p.activity![1]!.detail!.status = 'in-progress';
  });
  await b.cycle();
  await a.cycle();
  for (const on of [a, b]) expect(statusOf(await readPlan(on, loaded.plan))).toBe('current');
  expect((await readPlan(a, loaded.plan)).activity![1]!.detail!.status).toBe('in-progress');
  // And a change on A's side of the agreed content goes stale again, on B as well.
  await edit<fhir4.CarePlan>(a, 'CarePlan', loaded.plan, (p) => {
    p.activity![2]!.detail!.description = 'Sjuksköterska kontrollerar ödem varje dag.';
  });
  await a.cycle();
  await b.cycle();
  expect(statusOf(await readPlan(b, loaded.plan))).toBe('stale');
});
