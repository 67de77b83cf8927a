/**
 * A transaction that changes a goal marks stale the agreement of the plans
 * naming it, as follow-up plan versions written with it. When someone edits
 * such a plan between the moment the transaction read it and the moment it
 * writes, the caller — who changed nothing of that plan — is not answered
 * 412: the transaction is prepared again on the newer plan version, once.
 *
 * The concurrent edit is put exactly in that window by running it when the
 * transaction reaches the store (the real store, over real HTTP), not by timing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementState } from '../../src/plans/index.ts';
import type { Store } from '../../src/store/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { loadPatientkontrakt } from './fixtures.ts';

let s: TestServer;
let planId = '';
let patientRef = '';
let goalId = '';

beforeAll(async () => {
  s = await startTestServer();
  const loaded = await loadPatientkontrakt(s);
  ({ planId, patientRef } = loaded);
  goalId = loaded.goalIds[0]!;
});
afterAll(() => s.close());

const json = async <T>(res: Response | Promise<Response>): Promise<T> => (await (await res).json()) as T;
const readPlan = (): Promise<fhir4.CarePlan> => json<fhir4.CarePlan>(s.request(`/fhir/CarePlan/${planId}`));

/** Runs `edit` once, when the next write with follow-ups reaches the store, before it is stored. */
function beforeNextFollowUpWrite(store: Store, edit: () => Promise<void>): () => void {
  const original = store.writeWithFollowUps.bind(store);
  let armed = true;
  store.writeWithFollowUps = async (...args: Parameters<Store['writeWithFollowUps']>) => {
    if (armed) {
      armed = false;
      await edit();
    }
    return original(...args);
  };
  return () => {
    store.writeWithFollowUps = original;
  };
}

describe('a transaction changing a goal while the plan that names it is edited', () => {
  it('is prepared again on the newer plan version: 200, the plan stale, the other edit kept', async () => {
    const patient = await s.token({ kind: 'patient', fhirUser: patientRef });
    expect((await s.request(`/fhir/CarePlan/${planId}/$agree`, { method: 'POST', auth: patient })).status).toBe(200);
    const goal = await json<fhir4.Goal>(s.request(`/fhir/Goal/${goalId}`));
    const restore = beforeNextFollowUpWrite(s.services.store, async () => {
      // Someone else adds a note to the plan (not agreed content: the agreement stays current).
      const plan = await readPlan();
      const r = await s.request(`/fhir/CarePlan/${planId}`, { method: 'PUT', json: { ...plan, note: [{ text: 'Samtidig anteckning' }] } });
      expect(r.status).toBe(200);
    });
    try {
      const bundle: fhir4.Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ resource: { ...goal, description: { text: 'Ändrat i en transaktion' } }, request: { method: 'PUT', url: `Goal/${goalId}` } }],
      };
      const res = await s.request('/fhir', { method: 'POST', json: bundle });
      expect(res.status, await res.clone().text()).toBe(200);
    } finally {
      restore();
    }
    const plan = await readPlan();
    expect(agreementState(plan)).toBe('stale');
    expect(plan.note?.[0]?.text).toBe('Samtidig anteckning');
    expect((await json<fhir4.Goal>(s.request(`/fhir/Goal/${goalId}`))).description.text).toBe('Ändrat i en transaktion');
  });
});
