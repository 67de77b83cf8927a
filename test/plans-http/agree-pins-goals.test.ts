/**
 * `$agree` pins what was agreed: the Provenance names the exact version of
 * every goal the plan referenced (Provenance.entity, role source), and a goal
 * changed while the agreement was being recorded — in either order of the
 * race — leaves the agreement stale, never current over content the patient
 * did not see.
 *
 * The races are put in their window by running the other write when the
 * first reaches the (real) store, over real HTTP; nothing is timed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementOf, agreementState } from '../../src/plans/index.ts';
import type { Store } from '../../src/store/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { loadPatientkontrakt } from './fixtures.ts';

let s: TestServer;
let planId = '';
let patientRef = '';
let goalIds: string[] = [];

beforeAll(async () => {
  s = await startTestServer();
  ({ planId, patientRef, goalIds } = await loadPatientkontrakt(s));
});
afterAll(() => s.close());

const json = async <T>(res: Response | Promise<Response>): Promise<T> => (await (await res).json()) as T;
const readPlan = (): Promise<fhir4.CarePlan> => json<fhir4.CarePlan>(s.request(`/fhir/CarePlan/${planId}`));
const readGoal = (id: string): Promise<fhir4.Goal> => json<fhir4.Goal>(s.request(`/fhir/Goal/${id}`));
const agreeNow = async (): Promise<Response> => s.request(`/fhir/CarePlan/${planId}/$agree`, { method: 'POST', auth: await s.token({ kind: 'patient', fhirUser: patientRef }) });
const reword = async (id: string, text: string): Promise<void> => {
  const r = await s.request(`/fhir/Goal/${id}`, { method: 'PUT', json: { ...(await readGoal(id)), description: { text } } });
  expect(r.status, await r.clone().text()).toBe(200);
};

/** Runs `between` once, when the next write `when` picks reaches the store, before it is stored. */
function beforeWrite(store: Store, when: (w: Parameters<Store['write']>[2]) => boolean, between: () => Promise<void>): () => void {
  const original = store.write.bind(store);
  let armed = true;
  store.write = async (ctx, action, w) => {
    if (armed && when(w)) {
      armed = false;
      await between();
    }
    return original(ctx, action, w);
  };
  return () => {
    store.write = original;
  };
}

describe('the Provenance of an agreement', () => {
  it('names the version of every goal the plan referenced', async () => {
    expect((await agreeNow()).status).toBe(200);
    const plan = await readPlan();
    const provId = agreementOf(plan)!.provenance.reference!.split('/')[1]!;
    const prov = await json<fhir4.Provenance>(s.request(`/fhir/Provenance/${provId}`));
    const pinned = (prov.entity ?? []).map((e) => ({ role: e.role, what: e.what.reference }));
    const expected = await Promise.all(goalIds.map(async (id) => ({ role: 'source', what: `Goal/${id}/_history/${(await readGoal(id)).meta!.versionId}` })));
    expect(pinned).toEqual(expect.arrayContaining(expected));
    expect(pinned).toHaveLength(goalIds.length);
  });
});

describe('a goal changed while $agree records the agreement', () => {
  it('after $agree read the plan and its goals, before it wrote: answered 409, and the agreement is stale', async () => {
    // Start from a plan without a current agreement: the goal write finds nothing to mark (with a
    // current one, it would mark that one stale and $agree's write would meet a newer plan: 412).
    await reword(goalIds[0]!, 'Först ändrat, så att överenskommelsen blir inaktuell');
    expect(agreementState(await readPlan())).toBe('stale');
    // The goal change lands when $agree has built its writes from what it read, before they are stored.
    const store = s.services.store;
    const original = store.operation.bind(store);
    store.operation = async (ctx, name, type, id, make) =>
      original(ctx, name, type, id, async (current) => {
        const writes = await make(current);
        await reword(goalIds[1]!, 'Ändrat mitt i godkännandet');
        return writes;
      });
    let res: Response;
    try {
      res = await agreeNow();
    } finally {
      store.operation = original;
    }
    expect(res.status).toBe(409);
    expect(((await res.json()) as fhir4.OperationOutcome).issue[0]?.diagnostics).toMatch(/Goal\/.* changed/);
    expect(agreementState(await readPlan())).toBe('stale');
  });

  it('after the goal write looked for plans, before it stored the goal: the agreement ends up stale', async () => {
    // Start from a plan without a current agreement: the goal write finds nothing to mark.
    await reword(goalIds[0]!, 'Ändrat igen, så att överenskommelsen är inaktuell');
    expect(agreementState(await readPlan())).toBe('stale');
    const goalId = goalIds[2] ?? goalIds[0]!;
    const goal = await readGoal(goalId);
    // The agreement is recorded (in full) just before the goal version is stored.
    const restore = beforeWrite(s.services.store, (w) => w.type === 'Goal' && w.id === goalId, async () => {
      const r = await agreeNow();
      expect(r.status).toBe(200);
      expect(agreementState(await readPlan())).toBe('current');
    });
    try {
      const r = await s.request(`/fhir/Goal/${goalId}`, { method: 'PUT', json: { ...goal, description: { text: 'Ändrat medan planen godkändes' } } });
      expect(r.status).toBe(200);
    } finally {
      restore();
    }
    expect(agreementState(await readPlan())).toBe('stale');
  });
});
