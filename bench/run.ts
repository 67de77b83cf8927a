/**
 * `npm run bench`: samplan at size on the embedded database (FerretDB v1 on
 * PostgreSQL), over real HTTP, each figure next to two baselines measured in
 * the same run on the same database:
 *
 *   driver  the raw MongoDB driver doing the same lookup (the probes samplan
 *           must make at least), timed in-process at the same concurrency;
 *   bare    bare Express serving the same JSON from memory, under the same
 *           autocannon load (what any Express service costs on this machine).
 *
 * Seeds N plans (BENCH_PLANS / 10), measures, grows to 10×N (BENCH_PLANS,
 * default 20,000), measures again, and prints both with the ratio 10×N / N.
 * JSON lands in bench/results/<date>-<plans>.json. Then the sync lag
 * (sync-lag.ts) unless BENCH_SYNC=0, and the patient page's first view in
 * Chromium (web-first-view.ts) unless BENCH_WEB=0. At 10×N it also evaluates
 * each indicator over a year next to a raw-driver pass (indicators.ts).
 *
 * Environment: BENCH_PLANS (10×N, default 20000), BENCH_SECONDS (autocannon
 * duration per scenario and concurrency, default 3), BENCH_RAW (driver
 * iterations per scenario and concurrency, default 400), BENCH_SYNC=0, BENCH_WEB=0.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { mintDevToken } from '../src/auth/index.ts';
import { launchEmbeddedDatabase } from '../src/store/embedded/launch.ts';
import { openDatabase, type Database } from '../src/store/index.ts';
import { hourKey } from '../src/store/search/keys.ts';
import { timeProbes, type Probe } from '../src/store/search/probes.ts';
import { newVersion, toStored } from '../src/store/versioned.ts';
import { BENCH_ISSUER, BENCH_SECRET, type FromChild, type ToChild } from './http.ts';
import { carePlanOf, patientRef, planId, PLANS_PER_GROUP, practitionerRef, practitionersOf, seedPlans, withoutGinIndexes, type SeedFigures } from './seed.ts';
import { cannon, percentile, timeDriver, type Figure, type Request } from './measure.ts';
import { measureSyncLag } from './sync-lag.ts';
import { measureWebFirstView, printWebFigures } from './web-first-view.ts';
import { measureIndicators, printIndicatorFigures, type IndicatorFigures } from './indicators.ts';

const here = dirname(fileURLToPath(import.meta.url));
const FULL = Number(process.env.BENCH_PLANS ?? 20_000);
const N = Math.max(PLANS_PER_GROUP, Math.round(FULL / 10));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const RAW = Number(process.env.BENCH_RAW ?? 400);
const CONCURRENCY = [1, 16] as const;
const SPAN = { seconds: SECONDS, raw: RAW };
const DB_NAME = 'bench';
const DAY = 86_400_000;

interface Row {
  scenario: string;
  connections: number;
  samplan: Figure;
  driver: Figure;
  bare: Figure;
}
interface Phase {
  plans: number;
  seed: SeedFigures & { indexMs: number };
  /** Documents in the current hour's bucket of CarePlan.resources when the poll ran: recent writes (the poll itself probes only the last minutes' buckets). */
  pollHourBucket: number;
  /** The machine's load after the phase (other work on the shared cores inflates every figure). */
  loadAverage1m: number;
  rows: Row[];
}

const pick = (n: number): number => Math.floor(Math.random() * n);
const today = (): Date => new Date();
const isoDate = (d: Date): string => d.toISOString().slice(0, 10);

// --- the scenarios -------------------------------------------------------------------------------

interface Scenario {
  name: string;
  /** The request samplan gets (a new one each time: other plans, other patients). */
  request(): Request;
  expect: number;
  /** The raw driver doing the same lookup. */
  driver(): Promise<unknown>;
}

interface Tokens {
  system: string;
  practitioners: Map<number, string>;
  patients: Map<number, string>;
}

async function tokens(plans: number): Promise<Tokens> {
  const system = await mintDevToken(BENCH_SECRET, { kind: 'system', issuer: BENCH_ISSUER, ttlSeconds: 86_400 });
  const practitioners = new Map<number, string>();
  const patients = new Map<number, string>();
  // Worklists of practitioners all over the region; each token's reach is their own teams (a fhirUser, no organisation claim).
  for (let k = 0; k < 32; k++) {
    const [p] = practitionersOf(pick(plans));
    practitioners.set(p, await mintDevToken(BENCH_SECRET, { kind: 'practitioner', fhirUser: practitionerRef(p), issuer: BENCH_ISSUER, ttlSeconds: 86_400 }));
  }
  for (let k = 0; k < 64; k++) {
    const i = pick(plans);
    patients.set(i, await mintDevToken(BENCH_SECRET, { kind: 'patient', fhirUser: patientRef(i), scope: 'patient/*.rs patient/AuditEvent.rs', issuer: BENCH_ISSUER, ttlSeconds: 86_400 }));
  }
  return { system, practitioners, patients };
}

function scenarios(db: Database, plans: number, t: Tokens): Scenario[] {
  const raw = db.models.connection.db!;
  const resources = (type: string) => raw.collection<{ _id: string }>(`${type}.resources`);
  const versions = (type: string) => raw.collection<{ _id: string }>(`${type}.versions`);
  const auth = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
  const sys = auth(t.system);
  const practitioners = [...t.practitioners];
  const patients = [...t.patients];
  const lastMinute = (): Date => new Date(Date.now() - 60_000);
  // The same time buckets samplan probes for the range.
  const timeBuckets = (from: Date): Probe[] => timeProbes({ from }, new Date()) ?? [];
  const due = (): string => isoDate(new Date(Date.now() + 14 * DAY));
  let created = 0;
  return [
    {
      name: 'read CarePlan',
      request: () => ({ method: 'GET', path: `/fhir/CarePlan/${planId(pick(plans))}`, headers: sys }),
      expect: 200,
      driver: () => resources('CarePlan').findOne({ _id: planId(pick(plans)) }),
    },
    {
      name: 'search CarePlan?patient',
      request: () => ({ method: 'GET', path: `/fhir/CarePlan?patient=${patientRef(pick(plans))}`, headers: sys }),
      expect: 200,
      driver: () => resources('CarePlan').find({ keys: `patient=${patientRef(pick(plans))}` }).toArray(),
    },
    {
      name: 'worklist review-due (practitioner)',
      request: () => {
        const [, token] = practitioners[pick(practitioners.length)]!;
        return { method: 'GET', path: `/fhir/CarePlan?review-due=le${due()}`, headers: auth(token) };
      },
      expect: 200,
      // The least any store does: the practitioner's teams, then each team's plans.
      driver: async () => {
        const [p] = practitioners[pick(practitioners.length)]!;
        const teams = await resources('CareTeam').find({ keys: `participant=${practitionerRef(p)}` }).toArray();
        const out: unknown[] = [];
        for (let i = 0; i < teams.length; i += 8) {
          const batch = await Promise.all(teams.slice(i, i + 8).map((team) => resources('CarePlan').find({ keys: `care-team=CareTeam/${team._id}` }).toArray()));
          out.push(...batch.flat());
        }
        return out;
      },
    },
    {
      name: "patient's AuditEvent view",
      request: () => {
        const [i, token] = patients[pick(patients.length)]!;
        return { method: 'GET', path: `/fhir/AuditEvent?patient=${patientRef(i)}`, headers: auth(token) };
      },
      expect: 200,
      driver: () => resources('AuditEvent').find({ keys: `patient=${patientRef(patients[pick(patients.length)]![0])}` }).toArray(),
    },
    {
      name: 'history CarePlan/id',
      request: () => ({ method: 'GET', path: `/fhir/CarePlan/${planId(pick(plans))}/_history`, headers: sys }),
      expect: 200,
      driver: () => versions('CarePlan').find({ id: planId(pick(plans)) }).toArray(),
    },
    {
      name: '_lastUpdated=ge(now-1min) poll',
      request: () => ({ method: 'GET', path: `/fhir/CarePlan?_lastUpdated=ge${encodeURIComponent(lastMinute().toISOString())}`, headers: sys }),
      expect: 200,
      driver: () => Promise.all(timeBuckets(lastMinute()).map((p) => resources('CarePlan').find(p).toArray())),
    },
    {
      name: '_history?_since=(now-1min)',
      request: () => ({ method: 'GET', path: `/fhir/CarePlan/_history?_since=${encodeURIComponent(lastMinute().toISOString())}`, headers: sys }),
      expect: 200,
      driver: () => Promise.all(timeBuckets(lastMinute()).map((p) => versions('CarePlan').find(p).toArray())),
    },
    {
      name: 'create CarePlan',
      request: () => {
        const i = pick(plans);
        const body = { ...carePlanOf(i, 1, 0, isoDate(today())), goal: undefined, title: 'new plan' };
        return { method: 'POST', path: '/fhir/CarePlan', headers: { ...sys, 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) };
      },
      expect: 201,
      // The two inserts a new resource is: its first version and its projection.
      driver: async () => {
        const id = `raw-${process.pid}-${created++}`;
        const doc = newVersion({ type: 'CarePlan', id, resource: carePlanOf(pick(plans), 1, 1, isoDate(today())), expect: 0, fresh: true, writtenBy: 'system' }, new Date());
        await versions('CarePlan').insertOne(doc as never);
        await resources('CarePlan').insertOne({ ...toStored(doc), _id: id } as never);
      },
    },
    {
      name: 'JSON Patch activity',
      request: () => {
        const patch = [{ op: 'replace', path: '/activity/1/detail/description', value: `Läkemedelsgenomgång ${Date.now()}` }];
        return { method: 'PATCH', path: `/fhir/CarePlan/${planId(pick(plans))}`, headers: { ...sys, 'content-type': 'application/json-patch+json' }, body: JSON.stringify(patch) };
      },
      expect: 200,
      // Read the projection, insert the next version, bring the projection up: the least a versioned update is.
      driver: async () => {
        const id = `raw-${process.pid}-${pick(created)}`;
        const shown = await resources('CarePlan').findOne({ _id: id });
        if (!shown) return;
        const s = shown as unknown as { versionId: number; resource: fhir4.CarePlan };
        const doc = newVersion({ type: 'CarePlan', id, resource: { ...s.resource, title: `t ${Date.now()}` }, expect: s.versionId, writtenBy: 'system' }, new Date());
        try {
          await versions('CarePlan').insertOne(doc as never);
        } catch {
          return; // another iteration took this version: as samplan's 412
        }
        await resources('CarePlan').updateOne({ _id: id }, { $set: toStored(doc) });
      },
    },
  ];
}

// --- the server process --------------------------------------------------------------------------

interface Servers {
  child: ChildProcess;
  samplan: string;
  bare: string;
  send(m: ToChild): Promise<void>;
}

async function startServers(uri: string, postgresUrl: string): Promise<Servers> {
  const child = fork(join(here, 'http.ts'), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_URI: uri, BENCH_PG: postgresUrl, BENCH_DB: DB_NAME } });
  const urls = await new Promise<{ samplan: string; bare: string }>((resolve, reject) => {
    child.once('message', (m: FromChild) => ('samplan' in m ? resolve(m) : reject(new Error('unexpected message'))));
    child.once('exit', (code) => reject(new Error(`the server process exited (${code})`)));
  });
  return {
    child,
    ...urls,
    send: (m) =>
      new Promise((resolve) => {
        if ('stop' in m) {
          child.once('exit', () => resolve());
          child.send(m);
        } else {
          child.once('message', () => resolve());
          child.send(m);
        }
      }),
  };
}

async function fetchOnce(base: string, r: Request): Promise<{ status: number; body: string }> {
  const res = await fetch(`${base}${r.path}`, { method: r.method, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}) });
  return { status: res.status, body: await res.text() };
}

async function measurePhase(db: Database, servers: Servers, plans: number): Promise<{ rows: Row[]; pollHourBucket: number }> {
  const list = scenarios(db, plans, await tokens(plans));
  // One real answer per scenario: checks each works, and is what bare Express serves.
  const payloads: Record<string, { status: number; body: string }> = {};
  for (const [k, s] of list.entries()) {
    const r = s.request();
    const got = await fetchOnce(servers.samplan, r);
    if (got.status !== s.expect) throw new Error(`${s.name}: ${r.method} ${r.path} answered ${got.status}, not ${s.expect}: ${got.body.slice(0, 600)}`);
    payloads[String(k)] = got;
  }
  await servers.send({ payloads });
  const rows: Row[] = [];
  let pollHourBucket = 0;
  for (const [k, s] of list.entries()) {
    if (s.name.startsWith('_lastUpdated')) {
      // Something changed in the last minute, as in a live region: 20 plans patched just now.
      const patch = list.find((x) => x.name.startsWith('JSON Patch'))!;
      for (let j = 0; j < 20; j++) await fetchOnce(servers.samplan, patch.request());
      pollHourBucket = await db.models.connection.db!.collection('CarePlan.resources').countDocuments({ keys: hourKey(new Date()) });
    }
    for (const connections of CONCURRENCY) {
      const samplan = await cannon(SPAN, servers.samplan, connections, s.request, s.expect);
      const driver = await timeDriver(SPAN, s.driver, connections);
      const bare = await cannon(SPAN, servers.bare, connections, () => ({ ...s.request(), path: `/s/${k}` }), payloads[String(k)]!.status);
      rows.push({ scenario: s.name, connections, samplan, driver, bare });
      console.log(`  ${s.name.padEnd(36)} c=${String(connections).padEnd(2)} samplan p50 ${samplan.p50.toFixed(1)} p99 ${samplan.p99.toFixed(1)} ${samplan.rps.toFixed(0)}/s${samplan.errors ? ` (${samplan.errors} errors)` : ''} | driver p50 ${driver.p50.toFixed(1)} p99 ${driver.p99.toFixed(1)} | bare p50 ${bare.p50.toFixed(1)} p99 ${bare.p99.toFixed(1)}`);
    }
  }
  return { rows, pollHourBucket };
}

// --- the run -------------------------------------------------------------------------------------

function machine(postgres: string): Record<string, string | number> {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', ramGiB: Math.round(totalmem() / 2 ** 30), node: process.version, postgres, ferretdb: 'v1.24.2', loadAverage1m: Number(loadavg()[0]!.toFixed(2)) };
}

function table(phases: Phase[]): string {
  const [a, b] = phases as [Phase, Phase];
  const f = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const lines = [
    `| scenario | c | samplan p50 / p99 ms, req/s at ${a.plans.toLocaleString('en')} | at ${b.plans.toLocaleString('en')} | p99 ×(10N/N) | driver p50 / p99 at ${b.plans.toLocaleString('en')} | bare Express p50 / p99, req/s |`,
    '|---|---|---|---|---|---|---|',
  ];
  for (const [k, r] of a.rows.entries()) {
    const s = b.rows[k]!;
    lines.push(
      `| ${r.scenario} | ${r.connections} | ${f(r.samplan.p50)} / ${f(r.samplan.p99)}, ${f(r.samplan.rps)} | ${f(s.samplan.p50)} / ${f(s.samplan.p99)}, ${f(s.samplan.rps)} | ${(s.samplan.p99 / r.samplan.p99).toFixed(2)} | ${f(s.driver.p50)} / ${f(s.driver.p99)} | ${f(s.bare.p50)} / ${f(s.bare.p99)}, ${f(s.bare.rps)} |`,
    );
  }
  return lines.join('\n');
}

const dir = mkdtempSync(join(tmpdir(), 'samplan-bench-'));
const embedded = await launchEmbeddedDatabase({ dataDir: dir });
const db = await openDatabase(embedded.uri, DB_NAME, { postgresUrl: embedded.postgresUrl });
const pgClient = new pg.Client({ connectionString: embedded.postgresUrl });
await pgClient.connect();
const postgres = (await pgClient.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
await pgClient.end();
console.log(`samplan bench at size: ${N.toLocaleString('en')} plans, then ${FULL.toLocaleString('en')}; ${SECONDS} s per scenario and concurrency; embedded FerretDB v1.24.2 on PostgreSQL ${postgres}`);

const loadAtStart = Number(loadavg()[0]!.toFixed(2));
const started = new Date().toISOString();
const file = join(here, 'results', `${started.slice(0, 10)}-${FULL}.json`);
function writeResults(partial: boolean): void {
  const out = { date: started, complete: !partial, machine: { ...machine(postgres), loadAverageAtStart: loadAtStart }, secondsPerScenario: SECONDS, driverIterations: RAW, phases, ...(indicators ? { indicators } : {}) };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
}
const phases: Phase[] = [];
let indicators: IndicatorFigures | undefined;
let seeded = 0;
let servers: Servers | undefined;
for (const plans of [N, FULL]) {
  console.log(`seeding plans ${seeded.toLocaleString('en')}…${plans.toLocaleString('en')}`);
  const { result, indexMs } = await withoutGinIndexes(db, embedded.postgresUrl, () => seedPlans(db, seeded, plans, { log: console.log }));
  seeded = plans;
  console.log(`  ${result.docs.toLocaleString('en')} documents in ${(result.ms / 1000).toFixed(0)} s (${result.docsPerSecond.toFixed(0)} docs/s), indexes made in ${(indexMs / 1000).toFixed(0)} s`);
  // A fresh server per size: nothing it cached at N helps at 10×N.
  if (servers) await servers.send({ stop: true });
  servers = await startServers(embedded.uri, embedded.postgresUrl);
  console.log(`measuring at ${plans.toLocaleString('en')} plans`);
  const { rows, pollHourBucket } = await measurePhase(db, servers, plans);
  phases.push({ plans, seed: { ...result, indexMs }, pollHourBucket, loadAverage1m: Number(loadavg()[0]!.toFixed(2)), rows });
  // Written after each size, so a run stopped at 10×N still leaves its figures at N.
  writeResults(phases.length < 2);
}
// The indicators over a year at 10×N (bench/indicators.ts), against the same server.
const committee = await mintDevToken(BENCH_SECRET, { kind: 'system', issuer: BENCH_ISSUER, scope: 'system/Measure.rs', ttlSeconds: 3600 });
indicators = await measureIndicators(db, { base: servers!.samplan, token: committee });
writeResults(false);
printIndicatorFigures(indicators);
await servers!.send({ stop: true });

console.log(`\n${table(phases)}\n`);
console.log(`results: ${file}`);

if (process.env.BENCH_SYNC !== '0') {
  const SYNC_N = Number(process.env.BENCH_SYNC_N ?? 40);
  const SYNC_INTERVAL_MS = Number(process.env.BENCH_SYNC_INTERVAL_MS ?? 250);
  const sync = await measureSyncLag(embedded.uri, embedded.postgresUrl, SYNC_N, SYNC_INTERVAL_MS);
  const stats = (ms: number[]) => {
    const s = [...ms].sort((x, y) => x - y);
    return { p50: percentile(s, 0.5), p95: percentile(s, 0.95), mean: ms.reduce((x, y) => x + y, 0) / ms.length };
  };
  const lag = stats(sync.lag);
  const direct = stats(sync.baseline);
  console.log(`\nsync lag: ${SYNC_N} CarePlan writes on A until readable on B (B pulls every ${sync.intervalMs} ms); baseline = PUT + GET directly on the FHIR server`);
  console.log(`write on A → visible on B   p50 ${lag.p50.toFixed(1)}  p95 ${lag.p95.toFixed(1)}  mean ${lag.mean.toFixed(1)} | baseline p50 ${direct.p50.toFixed(1)}  mean ${direct.mean.toFixed(1)} | ratio (mean) ${(lag.mean / direct.mean).toFixed(1)}x`);
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, `${JSON.stringify({ ...json, syncLag: { n: SYNC_N, intervalMs: sync.intervalMs, lag, baseline: direct } }, null, 2)}\n`);
}
if (process.env.BENCH_WEB !== '0') {
  // The patient's page in real Chromium against npm start itself (bench/web-first-view.ts).
  const web = await measureWebFirstView();
  printWebFigures(web);
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, `${JSON.stringify({ ...json, webFirstView: web }, null, 2)}\n`);
}
await db.close();
await embedded.stop();
rmSync(dir, { recursive: true, force: true });
