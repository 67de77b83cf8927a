/**
 * `npm run bench`: latency of samplan's FHIR interactions on the embedded
 * database, each next to a baseline measured in the same run on the same
 * database (the raw driver doing the nearest equivalent), so the figures say
 * what samplan adds, not how fast this machine happens to be today.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servicePrincipal } from '../src/auth/principal.ts';
import { dispatch } from '../src/fhir/router.ts';
import type { FhirRequest } from '../src/fhir/types.ts';
import { buildServices } from '../src/services.ts';
import { launchEmbeddedDatabase } from '../src/store/embedded/launch.ts';
import { openDatabase } from '../src/store/index.ts';
import { measureSyncLag } from './sync-lag.ts';

const N = Number(process.env.BENCH_N ?? 200);

function stats(ms: number[]): { p50: number; p95: number; mean: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p95: at(0.95), mean: ms.reduce((a, b) => a + b, 0) / ms.length };
}

async function measure(n: number, f: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f(i);
    out.push(performance.now() - t);
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'samplan-bench-'));
const embedded = await launchEmbeddedDatabase({ dataDir: dir });
const db = await openDatabase(embedded.uri, 'bench', { postgresUrl: embedded.postgresUrl });
const svc = buildServices(db);
const ctx = { principal: servicePrincipal('bench'), requestId: 'bench', baseUrl: 'http://bench/fhir' };
const req = (method: FhirRequest['method'], path: string[], body?: unknown, query: [string, string][] = []): FhirRequest => ({ method, path, query, headers: {}, body, ctx });
const plan = (i: number): fhir4.CarePlan => ({
  resourceType: 'CarePlan', status: 'draft', intent: 'plan', title: `plan ${i}`, subject: { reference: `Patient/p${i % 20}` },
  careTeam: [{ reference: 'CareTeam/t1' }], activity: [1, 2, 3].map((a) => ({ detail: { status: 'not-started', description: `measure ${a}`, performer: [{ reference: 'Organization/o1' }] } })),
});
const raw = db.models.connection.db!.collection<{ _id: string }>('baseline');

const rows: [string, number[], number[]][] = [];
const ids: string[] = [];
rows.push(['create CarePlan', await measure(N, async (i) => ids.push(((await dispatch(req('POST', ['CarePlan'], plan(i)), svc)).body as fhir4.CarePlan).id!)), await measure(N, (i) => raw.insertOne({ ...plan(i), _id: `b${i}` }))]);
rows.push(['read CarePlan', await measure(N, (i) => dispatch(req('GET', ['CarePlan', ids[i]!]), svc)), await measure(N, (i) => raw.findOne({ _id: `b${i}` }))]);
rows.push(['update CarePlan', await measure(N, (i) => dispatch(req('PUT', ['CarePlan', ids[i]!], { ...plan(i), id: ids[i], title: 'changed' }), svc)), await measure(N, (i) => raw.updateOne({ _id: `b${i}` }, { $set: { title: 'changed' } }))]);
rows.push(['search patient (of N)', await measure(50, (i) => dispatch(req('GET', ['CarePlan'], undefined, [['patient', `p${i % 20}`]]), svc)), await measure(50, (i) => raw.find({ 'subject.reference': `Patient/p${i % 20}` }).toArray())]);

console.log(`samplan bench: ${N} CarePlans on embedded FerretDB (PostgreSQL) — ms per operation; baseline = raw driver on the same database`);
console.log('operation                 p50     p95    mean | baseline p50  mean | ratio (mean)');
for (const [name, ms, base] of rows) {
  const a = stats(ms);
  const b = stats(base);
  console.log(`${name.padEnd(24)} ${a.p50.toFixed(2).padStart(6)} ${a.p95.toFixed(2).padStart(7)} ${a.mean.toFixed(2).padStart(7)} | ${b.p50.toFixed(2).padStart(11)} ${b.mean.toFixed(2).padStart(5)} | ${(a.mean / b.mean).toFixed(1).padStart(5)}x`);
}
const SYNC_N = Number(process.env.BENCH_SYNC_N ?? 40);
const SYNC_INTERVAL_MS = Number(process.env.BENCH_SYNC_INTERVAL_MS ?? 250);
const sync = await measureSyncLag(embedded.uri, embedded.postgresUrl, SYNC_N, SYNC_INTERVAL_MS);
const lag = stats(sync.lag);
const direct = stats(sync.baseline);
console.log(`\nsync lag: ${SYNC_N} CarePlan writes on A until readable on B (B pulls every ${sync.intervalMs} ms); baseline = PUT + GET directly on the FHIR server`);
console.log(`write on A → visible on B   p50 ${lag.p50.toFixed(1)}  p95 ${lag.p95.toFixed(1)}  mean ${lag.mean.toFixed(1)} | baseline p50 ${direct.p50.toFixed(1)}  mean ${direct.mean.toFixed(1)} | ratio (mean) ${(lag.mean / direct.mean).toFixed(1)}x`);
const mem = process.memoryUsage();
console.log(`memory: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
await db.close();
await embedded.stop();
rmSync(dir, { recursive: true, force: true });
