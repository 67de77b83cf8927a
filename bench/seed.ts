/**
 * Bulk seeding for the benchmark at size, through the store's own writer
 * code: every version document is built by `newVersion` exactly as a write
 * builds it (so `keys`, `sp` and `pending` are what the service would have
 * stored), the newest version of each resource is projected with `toStored`
 * as `project` does, and the days that hold data are recorded with
 * `noteDay`. Only the one-at-a-time inserts are replaced by `insertMany`.
 *
 * The data set, for plan number i (ids continue when the seeding grows):
 *   Patient/pat-i                  (referenced, not stored: nothing reads it)
 *   CareTeam/team-i                two practitioners of the pool, each on behalf
 *                                  of an Organization, coordinator and member
 *   Goal/goal-i-1 (and -2 for half of them)
 *   CarePlan/plan-i                5 versions, the last with a next follow-up
 *                                  date (samplan-next-review) around today
 *   AUDITS_PER_PLAN AuditEvents    built by toAuditEvent, about pat-i
 *
 * Practitioners come in groups of PRACTITIONERS_PER_GROUP over PLANS_PER_GROUP
 * consecutive plans, so every practitioner sits on the same number of teams
 * (a caseload) however many plans the region has: one practitioner per 40
 * plans, 500 practitioners at 20,000 plans.
 */
import '../src/services.ts'; // registers the plan rules' search parameters (review-due) before any version is built
import { toAuditEvent } from '../src/audit/audit-event.ts';
import type { CallContext } from '../src/auth/principal.ts';
import pg from 'pg';
import { storeIndexes, type Database } from '../src/store/index.ts';
import type { FhirResource, VersionDoc } from '../src/store/models.ts';
import { newVersion, toStored } from '../src/store/versioned.ts';
import { EXTENSION } from '../src/validation/index.ts';

export const AUDITS_PER_PLAN = 25;
export const PLANS_PER_GROUP = 400;
export const PRACTITIONERS_PER_GROUP = 10;
const ORGANIZATIONS = 20;
const VERSIONS = 5;
const BATCH = 1000;
const DAY = 86_400_000;
/** Share of plans changed within the last hour (what a `_lastUpdated` poll finds). */
const RECENT_SHARE = 0.002;

export const planId = (i: number): string => `plan-${i}`;
export const patientRef = (i: number): string => `Patient/pat-${i}`;
export const teamId = (i: number): string => `team-${i}`;

/** The two practitioners (pool indices) on plan i's team. */
export function practitionersOf(i: number): [number, number] {
  const g = Math.floor(i / PLANS_PER_GROUP);
  const a = i % PRACTITIONERS_PER_GROUP;
  const b = (a + 1 + (Math.floor(i / PRACTITIONERS_PER_GROUP) % (PRACTITIONERS_PER_GROUP - 1))) % PRACTITIONERS_PER_GROUP;
  return [g * PRACTITIONERS_PER_GROUP + a, g * PRACTITIONERS_PER_GROUP + b];
}
export const practitionerRef = (n: number): string => `Practitioner/pr-${n}`;
const organizationRef = (n: number): string => `Organization/org-${n % ORGANIZATIONS}`;

/** A small deterministic PRNG (mulberry32), so two runs seed the same data. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const isoDate = (d: Date): string => d.toISOString().slice(0, 10);

function role(code: 'coordinator' | 'member'): fhir4.CodeableConcept[] {
  return [{ coding: [{ system: 'https://samplan.org/fhir/CodeSystem/samplan-careteam-role', code }] }];
}

export function careTeamOf(i: number, start: Date): fhir4.CareTeam {
  const [a, b] = practitionersOf(i);
  return {
    resourceType: 'CareTeam',
    status: 'active',
    name: `SIP-team ${i}`,
    subject: { reference: patientRef(i) },
    participant: [
      { member: { reference: practitionerRef(a) }, onBehalfOf: { reference: organizationRef(a) }, role: role('coordinator'), period: { start: isoDate(start) } },
      { member: { reference: practitionerRef(b) }, onBehalfOf: { reference: organizationRef(b) }, role: role('member'), period: { start: isoDate(start) } },
    ],
  };
}

function goalOf(i: number, k: number): fhir4.Goal {
  return {
    resourceType: 'Goal',
    lifecycleStatus: 'active',
    description: { text: k === 1 ? 'Klara vardagen hemma' : 'Promenera varje dag' },
    subject: { reference: patientRef(i) },
  };
}

/** Plan i as of version v (1..5): small changes from one version to the next. */
export function carePlanOf(i: number, v: number, goals: number, nextReview: string): fhir4.CarePlan {
  const progress = (n: number): fhir4.CarePlanActivityDetail['status'] => (v > n + 1 ? 'in-progress' : 'not-started');
  const [a] = practitionersOf(i);
  return {
    resourceType: 'CarePlan',
    ...(v > 1 ? { extension: [{ url: EXTENSION.nextReview, valueDate: nextReview }] } : {}),
    identifier: [{ system: 'https://region.example/id/careplan', value: `SIP-${i}` }],
    status: 'draft',
    intent: 'plan',
    category: [{ coding: [{ system: 'http://snomed.info/sct', code: '734163000', display: 'Care plan (record artifact)' }] }],
    title: `Samordnad individuell plan ${i}${v > 2 ? ` (rev ${v})` : ''}`,
    subject: { reference: patientRef(i) },
    careTeam: [{ reference: `CareTeam/${teamId(i)}` }],
    goal: Array.from({ length: goals }, (_, k) => ({ reference: `Goal/goal-${i}-${k + 1}` })),
    activity: [
      { detail: { status: progress(1), description: 'Hemtjänst två gånger dagligen', performer: [{ reference: organizationRef(a) }] } },
      { detail: { status: progress(2), description: 'Läkemedelsgenomgång', performer: [{ reference: practitionerRef(a) }] } },
      { detail: { status: progress(3), description: 'Promenad 20 minuter varje dag', performer: [{ reference: patientRef(i) }] } },
    ],
  };
}

const auditCtx = (i: number): CallContext => {
  const [a] = practitionersOf(i);
  return {
    principal: { kind: 'practitioner', sub: practitionerRef(a), fhirUser: practitionerRef(a), scopes: [], scope: 'user/*.cruds', issuer: 'samplan' },
    requestId: `seed-${i}`,
    baseUrl: 'http://bench/fhir',
    ip: '10.0.0.1',
  };
};

export interface SeedFigures {
  plans: number;
  docs: number;
  ms: number;
  docsPerSecond: number;
}

/** Seeds plans [from, to) and everything that goes with them. */
export async function seedPlans(db: Database, from: number, to: number, opts: { now?: Date; log?: (line: string) => void } = {}): Promise<SeedFigures> {
  const now = opts.now ?? new Date();
  const t0 = performance.now();
  const buffers = new Map<string, { versions: VersionDoc[]; resources: object[] }>();
  const days = new Set<string>();
  let docs = 0;
  let pending: Promise<unknown>[] = [];

  const flush = async (type: string): Promise<void> => {
    const b = buffers.get(type);
    if (!b || b.versions.length === 0) return;
    const { versions, resources } = b;
    buffers.set(type, { versions: [], resources: [] });
    docs += versions.length + resources.length;
    // The raw collections, as the store's write does (models.versions(type).collection.insertOne).
    pending.push(db.models.versions(type).collection.insertMany(versions as never[], { ordered: false }));
    if (resources.length) pending.push(db.models.resources(type).collection.insertMany(resources as never[], { ordered: false }));
    // Two batches in flight hide a round trip without swamping two cores.
    if (pending.length >= 4) {
      await Promise.all(pending);
      pending = [];
    }
  };

  /** The versions of one resource, oldest first: all go to versions, the newest is projected. */
  const add = async (type: string, id: string, bodies: { resource: FhirResource; at: Date }[]): Promise<void> => {
    let b = buffers.get(type);
    if (!b) buffers.set(type, (b = { versions: [], resources: [] }));
    let last: VersionDoc | undefined;
    for (const [k, { resource, at }] of bodies.entries()) {
      last = newVersion({ type, id, resource, expect: k, writtenBy: 'system' }, at);
      b.versions.push(last);
      days.add(`${type}|${at.toISOString()}`);
    }
    if (last) b.resources.push({ ...toStored(last), _id: id });
    if (b.versions.length >= BATCH) await flush(type);
  };

  for (let i = from; i < to; i++) {
    const r = rng(i + 1);
    const span = 730 * DAY;
    const first = new Date(now.getTime() - span * r() - DAY);
    const goals = r() < 0.5 ? 1 : 2;
    const nextReview = isoDate(new Date(now.getTime() + (r() * 210 - 30) * DAY));
    const recent = r() < RECENT_SHARE;
    const times: Date[] = [];
    const gap = ((now.getTime() - first.getTime()) * r()) / VERSIONS;
    for (let v = 0; v < VERSIONS; v++) times.push(new Date(first.getTime() + v * gap));
    if (recent) times[VERSIONS - 1] = new Date(now.getTime() - r() * 50 * 60_000);

    await add('CareTeam', teamId(i), [{ resource: careTeamOf(i, first), at: first }]);
    for (let k = 1; k <= goals; k++) await add('Goal', `goal-${i}-${k}`, [{ resource: goalOf(i, k), at: first }]);
    await add('CarePlan', planId(i), times.map((at, v) => ({ resource: carePlanOf(i, v + 1, goals, nextReview), at })));
    const ctx = auditCtx(i);
    for (let k = 0; k < AUDITS_PER_PLAN; k++) {
      const at = new Date(first.getTime() + (now.getTime() - first.getTime()) * r());
      const action = k % 5 === 0 ? 'update' : 'read';
      const event = toAuditEvent(ctx, { action, type: 'CarePlan', id: planId(i), entities: [`CarePlan/${planId(i)}`], patients: [patientRef(i)], outcome: 'success', status: 200 }, at);
      await add('AuditEvent', `ae-${i}-${k}`, [{ resource: event, at }]);
    }
    if (opts.log && (i - from + 1) % 2000 === 0) opts.log(`  seeded ${i - from + 1} of ${to - from} plans (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  for (const type of buffers.keys()) await flush(type);
  await Promise.all(pending);
  const distinct = new Set([...days].map((d) => d.slice(0, d.indexOf('|') + 11)));
  for (const key of distinct) {
    const [type, day] = key.split('|') as [string, string];
    await db.versions.noteDay(type, new Date(`${day}T12:00:00Z`));
  }
  const ms = performance.now() - t0;
  return { plans: to - from, docs, ms, docsPerSecond: (docs / ms) * 1000 };
}


/**
 * Runs a bulk load with the GIN indexes of the embedded database dropped and
 * makes them again afterwards (one index build instead of a million index
 * updates: the usual way to bulk-load PostgreSQL). The indexes are then
 * exactly those openDatabase makes (src/store/indexes.ts).
 */
export async function withoutGinIndexes<T>(db: Database, postgresUrl: string, load: () => Promise<T>): Promise<{ result: T; indexMs: number }> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const schema = db.models.connection.db!.databaseName;
    const { rows } = await client.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE '%\\_gin\\_%'`, [schema]);
    for (const r of rows) await client.query(`DROP INDEX ${client.escapeIdentifier(schema)}.${client.escapeIdentifier(r.indexname)}`);
    const result = await load();
    const t = performance.now();
    await db.ensureIndexes(storeIndexes(db.models.types));
    await client.query('ANALYZE');
    return { result, indexMs: performance.now() - t };
  } finally {
    await client.end();
  }
}
