/**
 * Issue 10, "query-shape audit": every command samplan sends during a broad
 * scenario is recorded (the driver's command monitoring), and every filter
 * must be one an index serves — top-level fields (`_id` among them) equal to scalars
 * that store/indexes.ts (or the sync state) declares for that collection. A
 * real MongoDB then never scans either, and the embedded database's GIN
 * indexes answer every query.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { mongo } from 'mongoose';
import { openDatabase, searchParamsOf, storeIndexes, type Database } from '../../src/store/index.ts';
import { recover } from '../../src/store/transaction.ts';
import { clearPendingBelow, pendingVersions, queueDepth } from '../../src/sync/outbox.ts';
import { SYNC_STATE_INDEXES, SyncState } from '../../src/sync/state.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { Queue, SUBSCRIPTION_INDEXES } from '../../src/subscriptions/index.ts';
import { FAST, startReceiver, subscribe, subscription, until, type Receiver } from '../subscriptions/support.ts';

type Command = { collection: string; filter: unknown; command: string };
const seen: Command[] = [];
let db: Database;
let s: TestServer;
let receiver: Receiver;

/** The filters a command carries, by command name (the wire protocol's own field names). */
function filtersOf(e: mongo.CommandStartedEvent): Command[] {
  const c = e.command as Record<string, unknown>;
  const name = e.commandName;
  const collection = String(c[name]);
  const one = (filter: unknown): Command => ({ collection, filter, command: name });
  switch (name) {
    case 'find':
      return [one(c.filter ?? {})];
    case 'count':
      return [one(c.query ?? {})];
    case 'delete':
      return (c.deletes as { q: unknown }[]).map((d) => one(d.q));
    case 'update':
      return (c.updates as { q: unknown }[]).map((u) => one(u.q));
    case 'findAndModify':
      return [one(c.query ?? {})];
    case 'aggregate': {
      // countDocuments: [{$match}, {$group}]; anything else is not a shape samplan uses.
      const [first] = (c.pipeline as Record<string, unknown>[] | undefined) ?? [];
      return [one(first && '$match' in first ? first.$match : { $unsupported: name })];
    }
    case 'distinct':
      return [one({ $unsupported: name })];
    default:
      return [];
  }
}

/** Collections that stay a handful of documents, whatever the region's size: a filter there reads those few. */
const SMALL = new Set(['sync.lease', 'sync.meta', 'sync.checkpoints', 'subscription.lease']);

function served(cmd: Command, declared: Map<string, Set<string>>): string | undefined {
  if (SMALL.has(cmd.collection)) return undefined;
  const f = cmd.filter as Record<string, unknown>;
  const keys = Object.keys(f);
  if (keys.length === 0) return 'an empty filter reads the whole collection';
  for (const k of keys) {
    const v = f[k];
    // `_id` too: FerretDB's own `_id` index is one its finds cannot use.
    if (!declared.get(cmd.collection)?.has(k)) return `no declared index on ${cmd.collection}.${k}`;
    if (!['string', 'boolean', 'number'].includes(typeof v)) return `${k} is not compared with a scalar: ${JSON.stringify(v)}`;
  }
  return undefined;
}

beforeAll(async () => {
  db = await openDatabase(inject('mongoUri'), `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`, { ...(inject('postgresUrl') ? { postgresUrl: inject('postgresUrl') } : {}), monitorCommands: true });
  db.models.connection.getClient().on('commandStarted', (e: mongo.CommandStartedEvent) => seen.push(...filtersOf(e)));
  receiver = await startReceiver();
  // With the Subscriptions' dispatcher: its rounds run all through the scenario.
  s = await startTestServer(FAST, { db, subscriptions: true });
});
afterAll(async () => {
  await s?.close();
  await receiver?.stop();
});

describe('a broad scenario sends only indexed queries', () => {
  // A long scenario (a few hundred requests): a generous budget on a busy machine, not a timed assertion.
  it('loads the examples, reads, searches every parameter, pages, includes, histories, patches, agrees, audits, syncs and recovers', { timeout: 180_000 }, async () => {
    const dir = new URL('../../fhir-examples/', import.meta.url);
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const res = await s.request('/fhir', { method: 'POST', json: JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as unknown });
      expect(res.status, f).toBe(200);
    }
    const plans = ((await (await s.request('/fhir/CarePlan?_count=50')).json()) as fhir4.Bundle).entry!.map((e) => e.resource as fhir4.CarePlan);
    expect(plans.length).toBeGreaterThan(0);
    const plan = plans[0]!;
    const patient = plan.subject.reference!;
    // A Subscription over the patient's plans: handshake, fan-out, delivery as the owner, all through the scenario.
    const sub = await subscribe(s, subscription(`CarePlan?patient=${patient}`, receiver.url));
    const team = plan.careTeam?.[0]?.reference;
    const practitionerRef = 'Practitioner/qs-nurse';
    const auditor = await s.token({ kind: 'system', scope: 'system/AuditEvent.rs' });
    // The audit log opens only to a scope that names it.
    const get = async (path: string, auth?: string): Promise<number> => (await s.request(path, { auth: auth ?? (path.startsWith('/fhir/AuditEvent') ? auditor : undefined) })).status;

    for (const path of [
      `/fhir/CarePlan/${plan.id}`, `/fhir/CarePlan/${plan.id}/_history/1`, `/fhir/CarePlan/${plan.id}/_history`,
      `/fhir/CarePlan/${plan.id}/_history?_since=2000-01-01T00:00:00Z`, '/fhir/CarePlan/_history?_count=5',
      `/fhir/CarePlan/_history?_since=${new Date(Date.now() - 60_000).toISOString()}`,
      `/fhir/CarePlan?_lastUpdated=ge${new Date(Date.now() - 60_000).toISOString()}`,
      `/fhir/CarePlan?patient=${patient}&_include=CarePlan:care-team&_include=CarePlan:goal`,
      `/fhir/CarePlan?patient=${patient}&_sort=-date&_total=accurate`, `/fhir/CarePlan?_id=${plan.id},nothing`,
      `/fhir/CarePlan?patient=${patient}&date=ge2020-01-01&review-due=le2100-01-01&status:not=revoked`,
      '/fhir/CarePlan?_summary=count', '/fhir/CarePlan?_count=2&_total=none', `/fhir/AuditEvent?patient=${patient}&_count=10`,
      `/fhir/Provenance?target=CarePlan/${plan.id}`,
    ]) expect(await get(path), path).toBe(200);
    for (const type of ['CarePlan', 'CareTeam', 'Goal', 'Patient', 'Practitioner', 'PractitionerRole', 'Organization', 'RelatedPerson', 'Provenance', 'AuditEvent', 'Subscription']) {
      for (const p of searchParamsOf(type)) {
        const value = p.type === 'date' ? 'ge2020-01-01' : p.type === 'reference' ? 'Patient/x' : 'x';
        // A date alone names no index: it is asked with the patient, as a range always is.
        const extra = p.type === 'date' && type !== 'AuditEvent' ? `&patient=${patient}` : p.type === 'date' ? '&patient=Patient/x' : '';
        const status = await get(`/fhir/${type}?${p.name}=${encodeURIComponent(value)}${extra}`);
        expect([200, 400], `${type}?${p.name}`).toContain(status);
      }
    }
    // People: a practitioner on the team, the patient.
    if (team) {
      const role = [{ coding: [{ system: 'https://samplan.org/fhir/CodeSystem/samplan-careteam-role', code: 'member' }] }];
      const patched = await s.request(`/fhir/${team}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json-patch+json' }, body: JSON.stringify([{ op: 'add', path: '/participant/-', value: { member: { reference: practitionerRef }, onBehalfOf: { reference: 'Organization/qs-org' }, role } }]) });
      expect(patched.status, await patched.clone().text()).toBe(200);
      const nurse = await s.token({ kind: 'practitioner', fhirUser: practitionerRef });
      expect(await get(`/fhir/CarePlan?patient=${patient}`, nurse)).toBe(200);
      expect(await get(`/fhir/CarePlan?review-due=le2100-01-01`, nurse)).toBe(200);
      expect(await get(`/fhir/CarePlan/${plan.id}`, nurse)).toBe(200);
      expect(await get(`/fhir/${patient}`, nurse)).toBe(200);
    }
    const me = await s.token({ kind: 'patient', fhirUser: patient, scope: 'patient/*.rs __samplan.agree' });
    expect(await get('/fhir/CarePlan', me)).toBe(200);
    expect(await get('/fhir/AuditEvent', await s.token({ kind: 'patient', fhirUser: patient, scope: 'patient/AuditEvent.rs' }))).toBe(200);
    await s.request(`/fhir/CarePlan/${plan.id}/$agree`, { method: 'POST', auth: me });
    // Writes: conditional create and update, a patch, a delete.
    const goal = { resourceType: 'Goal', lifecycleStatus: 'active', description: { text: 'Mål' }, subject: { reference: patient }, identifier: [{ system: 'urn:qs', value: 'g1' }] };
    expect((await s.request('/fhir/Goal', { method: 'POST', json: goal, headers: { 'If-None-Exist': 'identifier=urn:qs|g1' } })).status).toBe(201);
    expect((await s.request('/fhir/Goal?identifier=urn:qs|g1', { method: 'PUT', json: goal })).status).toBe(200);
    // Sync's own queries, without a server: the outbox, the state, a deletion check's list.
    const state = new SyncState(db.models.connection);
    await db.ensureIndexes(SYNC_STATE_INDEXES);
    await queueDepth(db.versions);
    const pending = await pendingVersions(db.versions);
    if (pending[0]) await clearPendingBelow(db.versions, pending[0].type, pending[0].id, pending[0].versionId);
    await state.withErrors();
    await state.onServer('CarePlan');
    expect(await get('/sync/status')).toBeLessThan(500);
    await recover(db.versions);
    // The agreement above changed the plan: its notification reached the receiver.
    await until(() => receiver.events().some((e) => e.startsWith(`PUT CarePlan/${plan.id}/`)), 'a notification of the plan');
    await new Queue(db.models.connection).waiting(sub.id!);
    expect((await s.request('/fhir/Subscription?status=active')).status).toBe(200);
  });

  it('and every query it sent is served by a declared index', () => {
    const declared = new Map<string, Set<string>>();
    for (const spec of [...storeIndexes(), ...SYNC_STATE_INDEXES, ...SUBSCRIPTION_INDEXES]) declared.set(spec.collection, new Set([...(declared.get(spec.collection) ?? []), ...spec.fields]));
    expect(seen.length).toBeGreaterThan(100);
    const bad = seen.flatMap((c) => {
      const why = served(c, declared);
      return why ? [`${c.command} ${c.collection} ${JSON.stringify(c.filter)}: ${why}`] : [];
    });
    expect([...new Set(bad)]).toEqual([]);
  });
});
