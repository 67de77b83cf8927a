/**
 * Issue 5, "Must show": the AuditEvents written for each kind of access,
 * including refused ones, and who may read the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { badTokens, expectOutcome, json, planFor, teamFor } from './support.ts';

let s: TestServer;
let patientP1: string;
let patientP2: string;
let practitioner: string;
let auditor: string;

const P1 = 'Patient/p1';
const P2 = 'Patient/p2';

beforeAll(async () => {
  s = await startTestServer();
  patientP1 = await s.token({ kind: 'patient', fhirUser: P1 });
  patientP2 = await s.token({ kind: 'patient', fhirUser: P2 });
  practitioner = await s.token({ kind: 'practitioner', fhirUser: 'Practitioner/on' });
  auditor = await s.token({ kind: 'system', scope: 'system/AuditEvent.rs', sub: 'auditor-client' });
  await s.seed(teamFor('au-team-p1', P1, [{ member: { reference: 'Practitioner/on' } }]));
  await s.seed(teamFor('au-team-p2', P2, [{ member: { reference: 'Practitioner/on2' } }]));
  for (const id of ['au-p1', 'au-p1-upd', 'au-p1-del', 'au-p1-agree']) await s.seed(planFor(id, P1, 'CareTeam/au-team-p1'));
  await s.seed(planFor('au-p2', P2, 'CareTeam/au-team-p2'));
});
afterAll(() => s?.close());

type Doc = { _id: string; resource: fhir4.AuditEvent };

async function allEvents(): Promise<Doc[]> {
  return s.db.models.resources('AuditEvent').find({ deleted: false }).lean<Doc[]>();
}

/** Runs `action` and returns it with the AuditEvents it left behind. */
async function withEvents<T>(action: () => Promise<T>): Promise<{ result: T; events: fhir4.AuditEvent[] }> {
  const before = new Set((await allEvents()).map((d) => d._id));
  const result = await action();
  const events = (await allEvents()).filter((d) => !before.has(d._id)).map((d) => d.resource);
  return { result, events };
}

/** A schema-valid AuditEvent blaming someone else: what a tamperer would write. */
function forgedEvent(id?: string): fhir4.AuditEvent {
  return {
    resourceType: 'AuditEvent',
    ...(id ? { id } : {}),
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    recorded: new Date().toISOString(),
    outcome: '0',
    agent: [{ who: { reference: 'Practitioner/scapegoat' }, requestor: true }],
    source: { observer: { reference: 'Device/samplan' } },
  };
}

const subtype = (e: fhir4.AuditEvent): string | undefined => e.subtype?.[0]?.code;
const entities = (e: fhir4.AuditEvent): string[] => (e.entity ?? []).flatMap((x) => (x.what?.reference ? [x.what.reference] : []));

/** The one event of this kind the action left. */
function one(events: fhir4.AuditEvent[], code: string): fhir4.AuditEvent {
  const found = events.filter((e) => subtype(e) === code);
  expect(found, `events: ${JSON.stringify(events.map((e) => [subtype(e), e.outcome, entities(e)]))}`).toHaveLength(1);
  return found[0]!;
}

describe('an AuditEvent for every kind of access', () => {
  it('read: who, what, when, from where, outcome success', async () => {
    const started = Date.now();
    const { result, events } = await withEvents(() => s.request('/fhir/CarePlan/au-p1', { auth: patientP1 }));
    expect(result.status).toBe(200);
    const e = one(events, 'read');
    expect(e).toMatchObject({ resourceType: 'AuditEvent', action: 'R', outcome: '0', type: { code: 'rest' } });
    expect(e.agent[0]).toMatchObject({ who: { reference: P1 }, altId: P1, requestor: true });
    expect(e.agent[0]?.network?.address).toMatch(/127\.0\.0\.1/);
    expect(entities(e)).toEqual(expect.arrayContaining(['CarePlan/au-p1', P1]));
    expect(Date.parse(e.recorded)).toBeGreaterThanOrEqual(started - 1000);
    expect(Date.parse(e.recorded)).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('vread', async () => {
    const { result, events } = await withEvents(() => s.request('/fhir/CarePlan/au-p1/_history/1', { auth: practitioner }));
    expect(result.status).toBe(200);
    expect(one(events, 'vread')).toMatchObject({ action: 'R', outcome: '0', agent: [{ who: { reference: 'Practitioner/on' } }] });
  });

  it('search: the query and every resource returned', async () => {
    const { result, events } = await withEvents(() => s.request('/fhir/CarePlan?patient=Patient/p1&_count=50', { auth: practitioner }));
    expect(result.status).toBe(200);
    const returned = ((await json<fhir4.Bundle>(result)).entry ?? []).map((x) => `CarePlan/${x.resource!.id}`);
    expect(returned.length).toBeGreaterThanOrEqual(4);
    const e = one(events, 'search-type');
    expect(e).toMatchObject({ action: 'E', outcome: '0' });
    expect(entities(e)).toEqual(expect.arrayContaining([...returned, P1]));
    const q = e.entity?.find((x) => x.query)?.query;
    expect(new URLSearchParams(Buffer.from(q!, 'base64').toString('utf8')).get('patient')).toBe('Patient/p1');
  });

  it('create', async () => {
    const { id: _id, ...plan } = planFor('x', P1, 'CareTeam/au-team-p1');
    const { result, events } = await withEvents(() => s.request('/fhir/CarePlan', { method: 'POST', json: plan, auth: practitioner }));
    expect(result.status).toBe(201);
    const id = (await json<fhir4.CarePlan>(result)).id!;
    const e = one(events, 'create');
    expect(e).toMatchObject({ action: 'C', outcome: '0', agent: [{ who: { reference: 'Practitioner/on' } }] });
    expect(entities(e)).toEqual(expect.arrayContaining([`CarePlan/${id}`, P1]));
  });

  it('update', async () => {
    const current = await json<fhir4.CarePlan>(await s.request('/fhir/CarePlan/au-p1-upd'));
    const { result, events } = await withEvents(() => s.request('/fhir/CarePlan/au-p1-upd', { method: 'PUT', json: { ...current, title: 'Updated' }, auth: practitioner }));
    expect(result.status).toBe(200);
    expect(entities(one(events, 'update'))).toEqual(expect.arrayContaining(['CarePlan/au-p1-upd', P1]));
    expect(one(events, 'update')).toMatchObject({ action: 'U', outcome: '0' });
  });

  it('patch', async () => {
    const { result, events } = await withEvents(() =>
      s.request('/fhir/CarePlan/au-p1-upd', { method: 'PATCH', auth: practitioner, headers: { 'Content-Type': 'application/json-patch+json' }, body: JSON.stringify([{ op: 'replace', path: '/title', value: 'Patched' }]) }),
    );
    expect(result.status).toBe(200);
    expect(one(events, 'patch')).toMatchObject({ action: 'U', outcome: '0' });
    expect(entities(one(events, 'patch'))).toContain('CarePlan/au-p1-upd');
  });

  it('delete', async () => {
    const { result, events } = await withEvents(() => s.request('/fhir/CarePlan/au-p1-del', { method: 'DELETE', auth: practitioner }));
    expect(result.status).toBe(204);
    const e = one(events, 'delete');
    expect(e).toMatchObject({ action: 'D', outcome: '0' });
    expect(entities(e)).toEqual(expect.arrayContaining(['CarePlan/au-p1-del', P1]));
  });

  it('$agree by the patient (no body): an operation event naming $agree, the plan and the Provenance', async () => {
    const { result, events } = await withEvents(() => s.request('/fhir/CarePlan/au-p1-agree/$agree', { method: 'POST', auth: patientP1 }));
    expect(result.status, await result.clone().text()).toBe(200);
    const e = one(events, 'operation');
    expect(e).toMatchObject({ action: 'E', outcome: '0', agent: [{ who: { reference: P1 } }] });
    expect(e.subtype?.map((c) => c.code)).toContain('$agree');
    expect(entities(e)).toEqual(expect.arrayContaining(['CarePlan/au-p1-agree', P1]));
    expect(entities(e).some((r) => r.startsWith('Provenance/'))).toBe(true);
  });
});

describe('refused accesses are audited too', () => {
  it("a patient reading another patient's plan: 404 to them, an event with outcome 4 for the record", async () => {
    const { result, events } = await withEvents(() => s.request('/fhir/CarePlan/au-p2', { auth: patientP1 }));
    expect(result.status).toBe(404);
    const e = one(events, 'read');
    expect(e).toMatchObject({ outcome: '4', agent: [{ who: { reference: P1 } }] });
    expect(e.outcomeDesc).toMatch(/^404/);
    expect(entities(e)).toContain('CarePlan/au-p2');
  });

  it('a patient deleting their own plan: 403, an event with outcome 4', async () => {
    const { result, events } = await withEvents(() => s.request('/fhir/CarePlan/au-p1', { method: 'DELETE', auth: patientP1 }));
    expect(result.status).toBe(403);
    const e = one(events, 'delete');
    expect(e).toMatchObject({ outcome: '4', agent: [{ who: { reference: P1 } }] });
    expect(e.outcomeDesc).toMatch(/^403/);
  });

  it('a patient changing more than their progress: 403, an event with outcome 4', async () => {
    const current = await json<fhir4.CarePlan>(await s.request('/fhir/CarePlan/au-p1'));
    const { result, events } = await withEvents(() => s.request('/fhir/CarePlan/au-p1', { method: 'PUT', json: { ...current, title: 'Mine now' }, auth: patientP1 }));
    expect(result.status).toBe(403);
    expect(one(events, 'update')).toMatchObject({ outcome: '4' });
  });

  it('a system client without a CarePlan scope: 403, an event with outcome 4', async () => {
    const goalsOnly = await s.token({ kind: 'system', scope: 'system/Goal.rs', sub: 'goal-client' });
    const { result, events } = await withEvents(() => s.request('/fhir/CarePlan/au-p1', { auth: goalsOnly }));
    expect(result.status).toBe(403);
    const e = one(events, 'read');
    expect(e).toMatchObject({ outcome: '4', agent: [{ who: { display: 'goal-client' }, altId: 'goal-client' }] });
  });

  it('a search refused for scope: 403, an event with outcome 4', async () => {
    const goalsOnly = await s.token({ kind: 'system', scope: 'system/Goal.rs' });
    const { result, events } = await withEvents(() => s.request('/fhir/CarePlan?patient=Patient/p1', { auth: goalsOnly }));
    expect(result.status).toBe(403);
    expect(one(events, 'search-type')).toMatchObject({ outcome: '4' });
  });

  // BUG (src/store/store.ts, Store.currentForWrite, and its callers in src/fhir/write-pipeline.ts
  // prepareWrite and src/fhir/interactions/instance.ts remove): the visibility check for a write runs
  // outside Store.audited(), so a PUT/PATCH/DELETE on a record the caller may not see is refused
  // with 404 but leaves no AuditEvent. Issue 5 asks for an AuditEvent for every refused access.
  it("a patient updating another patient's plan: 403 as for a plan that is not there, and an event with outcome 4", async () => {
    const current = await json<fhir4.CarePlan>(await s.request('/fhir/CarePlan/au-p2'));
    const { result, events } = await withEvents(() => s.request('/fhir/CarePlan/au-p2', { method: 'PUT', json: { ...current, title: 'x' }, auth: patientP1 }));
    expect(result.status).toBe(403);
    expect(one(events, 'update')).toMatchObject({ outcome: '4', agent: [{ who: { reference: P1 } }] });
  });

  it("a practitioner off the team deleting a plan: 404, and an event with outcome 4", async () => {
    const stranger = await s.token({ kind: 'practitioner', fhirUser: 'Practitioner/stranger' });
    const { result, events } = await withEvents(() => s.request('/fhir/CarePlan/au-p2', { method: 'DELETE', auth: stranger }));
    expect(result.status).toBe(404);
    expect(one(events, 'delete')).toMatchObject({ outcome: '4', agent: [{ who: { reference: 'Practitioner/stranger' } }] });
  });

  it.each([
    ['no token', null],
    ['an expired token', 'expired'],
    ['a wrong signature', 'wrongSecret'],
  ] as const)('%s: 401 has no principal and is not audited', async (_label, kind) => {
    const auth = kind === null ? null : await badTokens[kind]();
    const { result, events } = await withEvents(() => s.request('/fhir/CarePlan/au-p1', { auth }));
    expect(result.status).toBe(401);
    expect(events).toEqual([]);
  });
});

describe('the audit log itself', () => {
  it('an auditor finds the events about a plan by entity', async () => {
    await s.request('/fhir/CarePlan/au-p1', { auth: practitioner });
    const res = await s.request('/fhir/AuditEvent?entity=CarePlan/au-p1&_count=200', { auth: auditor });
    expect(res.status).toBe(200);
    const events = ((await json<fhir4.Bundle>(res)).entry ?? []).map((x) => x.resource as fhir4.AuditEvent);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(entities(e)).toContain('CarePlan/au-p1');
    expect(events.some((e) => e.agent[0]?.who?.reference === 'Practitioner/on' && subtype(e) === 'read')).toBe(true);
  });

  it.each([
    ['user/*.cruds (practitioner)', () => s.token({ kind: 'practitioner', fhirUser: 'Practitioner/on', scope: 'user/*.cruds' })],
    ['system/*.cruds', () => s.token({ kind: 'system', scope: 'system/*.cruds' })],
    ['system/CarePlan.rs', () => s.token({ kind: 'system', scope: 'system/CarePlan.rs' })],
  ] as const)('a wildcard or unrelated scope does not open the audit log: %s → 403', async (_label, mint) => {
    const token = await mint();
    expect((await s.request('/fhir/AuditEvent', { auth: token })).status).toBe(403);
    const any = (await allEvents())[0]!;
    expect((await s.request(`/fhir/AuditEvent/${any._id}`, { auth: token })).status).toBe(403);
  });

  it('no token → 401', async () => {
    expect((await s.request('/fhir/AuditEvent', { auth: null })).status).toBe(401);
  });

  it('an auditor may read a single event', async () => {
    const any = (await allEvents())[0]!;
    const res = await s.request(`/fhir/AuditEvent/${any._id}`, { auth: auditor });
    expect(res.status).toBe(200);
    expect((await json<fhir4.AuditEvent>(res)).resourceType).toBe('AuditEvent');
  });

  it.each(['system/AuditEvent.rs', 'system/*.cruds'])('with %s, POST/PUT/DELETE of AuditEvent are refused and nothing changes', async (scope) => {
    const token = await s.token({ kind: 'system', scope });
    const any = (await allEvents())[0]!;
    for (const init of [
      { method: 'POST', path: '/fhir/AuditEvent', json: forgedEvent() },
      { method: 'PUT', path: `/fhir/AuditEvent/${any._id}`, json: forgedEvent(any._id) },
      { method: 'DELETE', path: `/fhir/AuditEvent/${any._id}` },
    ]) {
      const res = await s.request(init.path, { method: init.method, auth: token, ...(init.json ? { json: init.json } : {}) });
      expect([403, 405], `${init.method} ${init.path}`).toContain(res.status);
      await expectOutcome(res);
    }
    const after = await allEvents();
    expect(after.find((d) => d._id === any._id)?.resource).toEqual(any.resource);
    expect(after.some((d) => d.resource.agent[0]?.who?.reference === 'Practitioner/scapegoat')).toBe(false);
  });

  // BUG (src/fhir/interactions/capabilities.ts:10, READ_ONLY_TYPES = new Set(['Provenance'])): AuditEvent
  // is not listed, so src/fhir/router.ts (`if (writing && READ_ONLY_TYPES.has(type)) fail('method-not-allowed', …)`)
  // lets writes through to the store. Wildcards are stopped by the auditor-scope rule (403, not 405), but a
  // token whose scope names AuditEvent with write letters (system/AuditEvent.cruds) can rewrite (PUT → 200),
  // forge (POST → 201) and delete (DELETE → 204, then 410) stored events — against src/audit/trail.ts,
  // "a stored event can never be edited or deleted", and issue 5, "Stored, never editable".
  describe.each(['system/*.cruds', 'system/AuditEvent.rs', 'system/AuditEvent.cruds'])('AuditEvent is read-only through the API, whatever the scope (%s)', (scope) => {
    it('PUT → 405 and the event is unchanged', async () => {
      const token = await s.token({ kind: 'system', scope });
      const any = (await allEvents())[0]!;
      const res = await s.request(`/fhir/AuditEvent/${any._id}`, { method: 'PUT', auth: token, json: forgedEvent(any._id) });
      const stored = (await allEvents()).find((d) => d._id === any._id)?.resource;
      expect(stored).toEqual(any.resource);
      expect(res.status).toBe(405);
    });
    it('DELETE → 405 and the event is still there', async () => {
      const token = await s.token({ kind: 'system', scope });
      const any = (await allEvents())[1]!;
      const res = await s.request(`/fhir/AuditEvent/${any._id}`, { method: 'DELETE', auth: token });
      expect((await allEvents()).find((d) => d._id === any._id)).toBeDefined();
      expect(res.status).toBe(405);
    });
    it('POST → 405, events are written by samplan only', async () => {
      const token = await s.token({ kind: 'system', scope });
      const res = await s.request('/fhir/AuditEvent', { method: 'POST', auth: token, json: forgedEvent() });
      expect((await allEvents()).some((d) => d.resource.agent[0]?.who?.reference === 'Practitioner/scapegoat')).toBe(false);
      expect(res.status).toBe(405);
    });
  });

  it('a patient with default scopes lists only events about themself', async () => {
    // make sure there are events about both patients, including a practitioner reading p1's plan
    await s.request('/fhir/CarePlan/au-p1', { auth: practitioner });
    await s.request('/fhir/CarePlan/au-p2', { auth: patientP2 });

    const own = await s.request(`/fhir/AuditEvent?patient=${P1}&_count=500`, { auth: patientP1 });
    expect(own.status).toBe(200);
    const mine = ((await json<fhir4.Bundle>(own)).entry ?? []).map((x) => x.resource as fhir4.AuditEvent);
    expect(mine.length).toBeGreaterThan(0);
    for (const e of mine) expect(entities(e)).toContain(P1);
    for (const e of mine) expect(entities(e)).not.toContain(P2);
    // the patient can see who has read their plan
    expect(mine.some((e) => e.agent[0]?.who?.reference === 'Practitioner/on' && subtype(e) === 'read' && entities(e).includes('CarePlan/au-p1'))).toBe(true);
  });

  it('a patient listing all events, or events about another, sees none of the other patient', async () => {
    for (const q of ['', `?patient=${P2}`, '?entity=CarePlan/au-p2', `?agent=${P2}`]) {
      const res = await s.request(`/fhir/AuditEvent${q}${q ? '&' : '?'}_count=500`, { auth: patientP1 });
      expect(res.status).toBe(200);
      const events = ((await json<fhir4.Bundle>(res)).entry ?? []).map((x) => x.resource as fhir4.AuditEvent);
      for (const e of events) {
        expect(entities(e)).toContain(P1);
        expect(entities(e)).not.toContain(P2);
      }
      if (q !== '') expect(events).toEqual([]);
    }
  });

  it("a patient cannot read a single event about another patient (404)", async () => {
    const theirs = (await allEvents()).find((d) => entities(d.resource).includes(P2) && !entities(d.resource).includes(P1))!;
    expect(theirs).toBeDefined();
    expect((await s.request(`/fhir/AuditEvent/${theirs._id}`, { auth: patientP1 })).status).toBe(404);
  });

  it('a patient without the AuditEvent scope cannot list events (403)', async () => {
    const narrow = await s.token({ kind: 'patient', fhirUser: P1, scope: 'patient/CarePlan.rs' });
    expect((await s.request(`/fhir/AuditEvent?patient=${P1}`, { auth: narrow })).status).toBe(403);
  });
});
