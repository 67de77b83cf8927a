/**
 * Issue 5, hardening: a write the token's scopes do not allow is refused with
 * 403 before its body is parsed or validated, so a caller without the scope
 * never learns what the validator thinks of the body (400/422). The refusal is
 * an OperationOutcome and leaves one AuditEvent, like the store's other
 * refusals; the store still refuses on its own when called directly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScopes, type CallContext, type PrincipalKind } from '../../src/auth/index.ts';
import { FhirError } from '../../src/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { expectOutcome, json, planFor, teamFor } from './support.ts';

let s: TestServer;
const P1 = 'Patient/p1';
const P2 = 'Patient/p2';
const PATCH_JSON = { 'Content-Type': 'application/json-patch+json' };

/** Tokens by what they lack. */
let patientReadOnly: string; // patient/CarePlan.rs: no write at all on CarePlan
let patientDefault: string; // patient/CarePlan.rus: update, never create or delete
let goalsOnly: string; // system/Goal.cruds: nothing on CarePlan
let plansReadOnly: string; // system/CarePlan.rs
let createOnly: string; // system/CarePlan.crs
let updateOnly: string; // system/CarePlan.rus

beforeAll(async () => {
  s = await startTestServer();
  patientReadOnly = await s.token({ kind: 'patient', fhirUser: P1, scope: 'patient/CarePlan.rs' });
  patientDefault = await s.token({ kind: 'patient', fhirUser: P1 });
  goalsOnly = await s.token({ kind: 'system', scope: 'system/Goal.cruds', sub: 'goals-client' });
  plansReadOnly = await s.token({ kind: 'system', scope: 'system/CarePlan.rs' });
  createOnly = await s.token({ kind: 'system', scope: 'system/CarePlan.crs' });
  updateOnly = await s.token({ kind: 'system', scope: 'system/CarePlan.rus' });
  await s.seed(teamFor('sb-team-p1', P1, [{ member: { reference: 'Practitioner/on' } }]));
  await s.seed(teamFor('sb-team-p2', P2, [{ member: { reference: 'Practitioner/on2' } }]));
  for (const id of ['sb-p1', 'sb-p1-deleted']) await s.seed(planFor(id, P1, 'CareTeam/sb-team-p1'));
  await s.seed(planFor('sb-p2', P2, 'CareTeam/sb-team-p2'));
  const current = await s.db.versions.current('CarePlan', 'sb-p1-deleted');
  await s.db.versions.write({ type: 'CarePlan', id: 'sb-p1-deleted', resource: null, expect: current!.versionId });
});
afterAll(() => s?.close());

type Doc = { _id: string; resource: fhir4.AuditEvent };
const auditIds = async (): Promise<Set<string>> => new Set((await s.db.models.resources('AuditEvent').find({}, { _id: 1 }).lean<{ _id: string }[]>()).map((d) => d._id));

/** Runs `action` and returns the AuditEvents it left behind. */
async function withEvents(action: () => Promise<Response>): Promise<{ res: Response; events: fhir4.AuditEvent[] }> {
  const before = await auditIds();
  const res = await action();
  const docs = await s.db.models.resources('AuditEvent').find({ deleted: false }).lean<Doc[]>();
  return { res, events: docs.filter((d) => !before.has(d._id)).map((d) => d.resource) };
}

/** Invalid bodies: each one is a 400 or 422 for a caller who may write. */
const badPlan = (changes: Record<string, unknown> = {}): Record<string, unknown> => ({ ...planFor('unused', P1, 'CareTeam/sb-team-p1'), status: 'not-a-status', bogus: { x: 1 }, ...changes });
const current = async (id: string): Promise<fhir4.CarePlan> => json<fhir4.CarePlan>(await s.request(`/fhir/CarePlan/${id}`));

interface Case {
  what: string;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body: () => Promise<unknown> | unknown;
  patch?: boolean;
  /** The token refused for scope. */
  token: () => string;
  /** AuditEvent subtype the refusal leaves. */
  subtype: 'create' | 'update' | 'patch' | 'delete';
}

const cases: Case[] = [
  { what: 'patient/CarePlan.rs creates an invalid plan', method: 'POST', path: '/fhir/CarePlan', body: () => badPlan(), token: () => patientReadOnly, subtype: 'create' },
  { what: 'patient/CarePlan.rs updates own plan with an invalid body', method: 'PUT', path: '/fhir/CarePlan/sb-p1', body: async () => ({ ...(await current('sb-p1')), status: 'not-a-status' }), token: () => patientReadOnly, subtype: 'update' },
  { what: "patient/CarePlan.rs PUTs a body whose resourceType is not the URL's", method: 'PUT', path: '/fhir/CarePlan/sb-p1', body: () => ({ resourceType: 'Goal', id: 'sb-p1' }), token: () => patientReadOnly, subtype: 'update' },
  { what: 'patient/CarePlan.rs conditional update with an invalid body', method: 'PUT', path: '/fhir/CarePlan?identifier=urn:sb|1', body: () => badPlan(), token: () => patientReadOnly, subtype: 'update' },
  { what: 'patient/CarePlan.rs patches with a document that is not a patch', method: 'PATCH', path: '/fhir/CarePlan/sb-p1', body: () => ({ op: 'replace' }), patch: true, token: () => patientReadOnly, subtype: 'patch' },
  { what: 'patient/CarePlan.rus (no .c) creates a plan at a new id with an invalid body', method: 'PUT', path: '/fhir/CarePlan/sb-new-by-patient', body: () => badPlan({ id: 'sb-new-by-patient' }), token: () => patientDefault, subtype: 'update' },
  { what: 'system/Goal.cruds creates an invalid CarePlan', method: 'POST', path: '/fhir/CarePlan', body: () => badPlan(), token: () => goalsOnly, subtype: 'create' },
  { what: 'system/Goal.cruds creates an unparseable CarePlan (not an object)', method: 'POST', path: '/fhir/CarePlan', body: () => [1, 2, 3], token: () => goalsOnly, subtype: 'create' },
  { what: 'system/Goal.cruds conditional update of a CarePlan', method: 'PUT', path: '/fhir/CarePlan?identifier=urn:sb|1', body: () => badPlan(), token: () => goalsOnly, subtype: 'update' },
  { what: 'system/Goal.cruds patches a CarePlan with a broken patch', method: 'PATCH', path: '/fhir/CarePlan/sb-p1', body: () => [{ op: 'nonsense' }], patch: true, token: () => goalsOnly, subtype: 'patch' },
  { what: 'system/Goal.cruds deletes a CarePlan that does not exist', method: 'DELETE', path: '/fhir/CarePlan/sb-nope', body: () => undefined, token: () => goalsOnly, subtype: 'delete' },
  { what: 'system/CarePlan.rs creates an invalid plan', method: 'POST', path: '/fhir/CarePlan', body: () => badPlan(), token: () => plansReadOnly, subtype: 'create' },
  { what: 'system/CarePlan.crs (no .u) updates an existing plan with an invalid body', method: 'PUT', path: '/fhir/CarePlan/sb-p1', body: async () => ({ ...(await current('sb-p1')), status: 'not-a-status' }), token: () => createOnly, subtype: 'update' },
  { what: 'system/CarePlan.rus (no .c) creates at a new id with an invalid body', method: 'PUT', path: '/fhir/CarePlan/sb-new', body: () => badPlan({ id: 'sb-new' }), token: () => updateOnly, subtype: 'update' },
  { what: 'system/CarePlan.rus (no .c) re-creates a deleted plan with an invalid body', method: 'PUT', path: '/fhir/CarePlan/sb-p1-deleted', body: () => badPlan({ id: 'sb-p1-deleted' }), token: () => updateOnly, subtype: 'update' },
];

async function send(c: Case, body: unknown, token: string | undefined): Promise<Response> {
  if (body === undefined) return s.request(c.path, { method: c.method, ...(token ? { auth: token } : {}) });
  if (c.patch) return s.request(c.path, { method: c.method, headers: PATCH_JSON, body: JSON.stringify(body), ...(token ? { auth: token } : {}) });
  return s.request(c.path, { method: c.method, json: body, ...(token ? { auth: token } : {}) });
}

const planCount = async (): Promise<number> => s.db.models.resources('CarePlan').countDocuments({});
const versionOf = async (id: string): Promise<number | undefined> => (await s.db.versions.current('CarePlan', id))?.versionId;

describe('a write the scopes do not allow: 403 before the body is looked at', () => {
  it.each(cases.map((c) => [c.what, c] as const))('%s → 403, one refused AuditEvent, nothing stored', async (_what, c) => {
    const plans = await planCount();
    const version = await versionOf('sb-p1');
    const body = await c.body(); // outside withEvents: reading the current version is audited too
    const { res, events } = await withEvents(() => send(c, body, c.token()));
    expect(res.status, await res.clone().text()).toBe(403);
    const oo = await expectOutcome(res);
    expect(oo.issue[0]).toMatchObject({ severity: 'error', code: 'forbidden' });
    expect(oo.issue[0]!.diagnostics).toMatch(/scope/);
    expect(res.headers.get('www-authenticate')).toMatch(/insufficient_scope/);
    expect(events, JSON.stringify(events.map((e) => [e.subtype?.[0]?.code, e.outcome]))).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: '4', subtype: [{ code: c.subtype }] });
    expect(events[0]!.outcomeDesc).toMatch(/^403/);
    expect(await planCount()).toBe(plans);
    expect(await versionOf('sb-p1')).toBe(version);
  });

  it.each(cases.filter((c) => c.method !== 'DELETE').map((c) => [c.what, c] as const))('control: the same request with system/*.cruds is refused for its body: %s', async (_what, c) => {
    const res = await send(c, await c.body(), undefined);
    expect([400, 422], await res.clone().text()).toContain(res.status);
    await expectOutcome(res);
  });
});

describe('what the scopes do allow is still judged on the body and the data', () => {
  it('system/CarePlan.crs creates at a new id: the body is validated (400/422), not refused for scope', async () => {
    const res = await s.request('/fhir/CarePlan/sb-create-only', { method: 'PUT', json: badPlan({ id: 'sb-create-only' }), auth: createOnly });
    expect([400, 422]).toContain(res.status);
  });

  it('system/CarePlan.rus updates an existing plan: the body is validated (400/422)', async () => {
    const res = await s.request('/fhir/CarePlan/sb-p1', { method: 'PUT', json: { ...(await current('sb-p1')), status: 'not-a-status' }, auth: updateOnly });
    expect([400, 422]).toContain(res.status);
  });

  it("a patient with .u but not .c PUTting another patient's plan gets the same 403 as for an id that does not exist: nothing tells it exists", async () => {
    const theirs = await s.request('/fhir/CarePlan/sb-p2', { method: 'PUT', json: { ...(await current('sb-p2')), status: 'not-a-status' }, auth: patientDefault });
    const none = await s.request('/fhir/CarePlan/sb-no-such-plan', { method: 'PUT', json: { ...(await current('sb-p2')), id: 'sb-no-such-plan', status: 'not-a-status' }, auth: patientDefault });
    expect(theirs.status).toBe(403);
    expect(none.status).toBe(403);
    const text = (o: fhir4.OperationOutcome) => o.issue[0]?.diagnostics?.replace(/sb-[a-z0-9-]+/g, 'ID');
    expect(text((await theirs.json()) as fhir4.OperationOutcome)).toBe(text((await none.json()) as fhir4.OperationOutcome));
  });

  it('a write the scopes allow leaves one AuditEvent, not two', async () => {
    const { id: _id, ...plan } = planFor('unused', P1, 'CareTeam/sb-team-p1');
    const { res, events } = await withEvents(() => s.request('/fhir/CarePlan', { method: 'POST', json: plan }));
    expect(res.status).toBe(201);
    expect(events.map((e) => [e.subtype?.[0]?.code, e.outcome])).toEqual([['create', '0']]);
  });
});

describe('a body that cannot even be read', () => {
  const raw = (path: string, method: string, body: string, contentType: string, auth: string) =>
    s.request(path, { method, body, headers: { 'Content-Type': contentType }, auth });

  it('is still 403 for a token that may not write there: broken JSON, a wrong media type, a wrong charset', async () => {
    for (const [body, type] of [['{"resourceType": "CarePlan", ', 'application/fhir+json'], ['plain words', 'text/plain'], ['{}', 'application/fhir+json; charset=utf-7']]) {
      for (const [method, path] of [['POST', '/fhir/CarePlan'], ['PUT', '/fhir/CarePlan/sb-p1'], ['POST', '/fhir']]) {
        const res = await raw(path!, method!, body!, type!, method === 'POST' && path === '/fhir' ? patientReadOnly : goalsOnly);
        // A Bundle's entries cannot be judged unread: its own 400/415 is all there is to say.
        if (path === '/fhir') expect([400, 415]).toContain(res.status);
        else expect(res.status, `${method} ${path} ${type}`).toBe(403);
      }
    }
  });

  it('is 400/415 as before for a token that may write there', async () => {
    expect((await raw('/fhir/CarePlan', 'POST', '{"resourceType": ', 'application/fhir+json', createOnly)).status).toBe(400);
    expect((await raw('/fhir/CarePlan', 'POST', '{}', 'text/plain', createOnly)).status).toBe(415);
  });
});

describe('Bundles', () => {
  const transaction = (entries: fhir4.BundleEntry[]): fhir4.Bundle => ({ resourceType: 'Bundle', type: 'transaction', entry: entries });

  it('a transaction with an invalid entry of a type the token cannot write: 403 for the whole, nothing stored', async () => {
    const plans = await planCount();
    const { res, events } = await withEvents(() =>
      s.request('/fhir', {
        method: 'POST',
        auth: goalsOnly,
        json: transaction([
          { resource: { resourceType: 'Goal', lifecycleStatus: 'proposed', description: { text: 'Walk' }, subject: { reference: P1 } }, request: { method: 'POST', url: 'Goal' } },
          { resource: badPlan() as unknown as fhir4.CarePlan, request: { method: 'POST', url: 'CarePlan' } },
        ]),
      }),
    );
    expect(res.status, await res.clone().text()).toBe(403);
    expect((await expectOutcome(res)).issue[0]!.code).toBe('forbidden');
    expect(events.filter((e) => e.outcome === '4').map((e) => e.subtype?.[0]?.code)).toEqual(['create']);
    expect(await planCount()).toBe(plans);
  });

  it('a transaction deleting with a read-only token: 403', async () => {
    const res = await s.request('/fhir', { method: 'POST', auth: plansReadOnly, json: transaction([{ request: { method: 'DELETE', url: 'CarePlan/sb-p1' } }]) });
    expect(res.status).toBe(403);
    expect(await versionOf('sb-p1')).toBeDefined();
  });

  it('a batch answers 403 in the refused entry only', async () => {
    const res = await s.request('/fhir', {
      method: 'POST',
      auth: goalsOnly,
      json: { resourceType: 'Bundle', type: 'batch', entry: [{ resource: badPlan() as unknown as fhir4.CarePlan, request: { method: 'POST', url: 'CarePlan' } }, { request: { method: 'GET', url: 'Goal?_count=1' } }] },
    });
    expect(res.status).toBe(200);
    const out = await json<fhir4.Bundle>(res);
    expect(out.entry?.map((e) => e.response?.status)).toEqual(['403', '200']);
    expect(out.entry?.[0]?.response?.outcome).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'forbidden' }] });
  });

  it.each(['AuditEvent', 'Provenance'])('a transaction cannot write %s, even with a scope naming it (405, nothing stored)', async (type) => {
    const token = await s.token({ kind: 'system', scope: `system/${type}.cruds` });
    const before = await s.db.models.resources(type).countDocuments({});
    const forged = { resourceType: type, recorded: new Date().toISOString(), agent: [{ who: { reference: 'Practitioner/scapegoat' } }] } as unknown as fhir4.FhirResource;
    const res = await s.request('/fhir', { method: 'POST', auth: token, json: transaction([{ resource: forged, request: { method: 'POST', url: type } }]) });
    expect(res.status).toBe(405);
    await expectOutcome(res);
    // A refused transaction of AuditEvents may itself be audited; no event blames the scapegoat.
    const docs = await s.db.models.resources(type).find({}).lean<{ resource: { agent?: { who?: { reference?: string } }[] } }[]>();
    expect(docs.some((d) => d.resource.agent?.[0]?.who?.reference === 'Practitioner/scapegoat')).toBe(false);
    if (type === 'Provenance') expect(await s.db.models.resources(type).countDocuments({})).toBe(before);
  });
});

describe('the store still refuses on its own', () => {
  const ctx = (kind: PrincipalKind, scope: string): CallContext => ({
    principal: { kind, sub: 'direct', scope, scopes: parseScopes(scope), ...(kind === 'patient' ? { fhirUser: P1 } : {}) },
    requestId: 'direct-call',
    baseUrl: 'http://localhost/fhir',
  });

  it('Store.write without the scope: 403, nothing stored', async () => {
    const { id: _id, ...plan } = planFor('sb-direct', P1, 'CareTeam/sb-team-p1');
    const write = s.services.store.write(ctx('system', 'system/CarePlan.rs'), 'create', { type: 'CarePlan', id: 'sb-direct', resource: { ...plan, id: 'sb-direct' }, expect: 0, current: null, fresh: true });
    await expect(write).rejects.toBeInstanceOf(FhirError);
    await expect(write).rejects.toMatchObject({ kind: 'forbidden' });
    expect(await versionOf('sb-direct')).toBeUndefined();
  });

  it('Store.requireScope answers for each write interaction', async () => {
    const store = s.services.store;
    await expect(store.requireScope(ctx('system', 'system/CarePlan.cruds'), 'delete', 'CarePlan', 'sb-p1')).resolves.toBeUndefined();
    await expect(store.requireScope(ctx('system', 'system/CarePlan.crs'), 'create', 'CarePlan')).resolves.toBeUndefined();
    await expect(store.requireScope(ctx('system', 'system/CarePlan.crs'), 'patch', 'CarePlan', 'sb-p1')).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(store.requireScope(ctx('system', 'system/CarePlan.crs'), 'delete', 'CarePlan', 'sb-p1')).rejects.toMatchObject({ kind: 'forbidden' });
    // A conditional update (no id): either letter may be the one needed, so the write decides.
    await expect(store.requireScope(ctx('system', 'system/CarePlan.crs'), 'update', 'CarePlan')).resolves.toBeUndefined();
    await expect(store.requireScope(ctx('system', 'system/CarePlan.rus'), 'update', 'CarePlan')).resolves.toBeUndefined();
    await expect(store.requireScope(ctx('system', 'system/CarePlan.rs'), 'update', 'CarePlan')).rejects.toMatchObject({ kind: 'forbidden' });
  });
});
