/**
 * $evaluate-measure at the benchmark's size: each indicator over the last 12
 * months, next to a raw-driver pass over the same documents (the active
 * plans' projection by its `status` key, then every CarePlan version of the
 * period's days by their day keys) that only counts them: what reading the
 * data costs at least. The raw pass's time is the median of RUNS, each
 * indicator's one run (each reads the same documents); memory is the peak
 * heap growth sampled while the pass runs (the walk keeps one small fact per
 * plan it has seen change, the raw pass one day's documents).
 *
 * In-process through src/measures (what the operation calls), and over HTTP
 * with a committee's token, which adds access, audit and JSON: one indicator
 * alone, then all six at once, as the indicators page asks for them.
 */
import { evaluateMeasure, localDate, measureIds, startOfLocalDay } from '../src/measures/index.ts';
import type { Database } from '../src/store/index.ts';
import { dayKey, termKey } from '../src/store/search/keys.ts';

const RUNS = 3;

export interface IndicatorFigures {
  period: { first: string; last: string };
  /** Documents the raw pass read. */
  documents: number;
  raw: { ms: number; peakHeapMiB: number };
  measures: { id: string; ms: number; peakHeapMiB: number; unchanged: number; versions: number; before: number }[];
  /** Over HTTP, ms: one indicator alone, and all of them asked at once as the committee's page does (they share one pass). */
  http: { alone: number; page: number };
}

/** Runs f, sampling the heap every 5 ms: its time and the peak heap growth. */
async function sampled(f: () => Promise<unknown>): Promise<{ ms: number; peakHeapMiB: number }> {
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  const t0 = performance.now();
  try {
    await f();
  } finally {
    clearInterval(timer);
  }
  const ms = performance.now() - t0;
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { ms, peakHeapMiB: (peak - base) / 2 ** 20 };
}

async function median(f: () => Promise<unknown>): Promise<{ ms: number; peakHeapMiB: number }> {
  const runs: { ms: number; peakHeapMiB: number }[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await sampled(f));
  runs.sort((a, b) => a.ms - b.ms);
  return { ms: runs[Math.floor(RUNS / 2)]!.ms, peakHeapMiB: Math.max(...runs.map((r) => r.peakHeapMiB)) };
}

export async function measureIndicators(db: Database, http: { base: string; token: string }): Promise<IndicatorFigures> {
  const now = new Date();
  const last = localDate(now);
  const first = localDate(new Date(now.getTime() - 365 * 86_400_000));
  const period = { first, last };
  const raw = db.models.connection.db!;
  let documents = 0;
  const rawPass = async (): Promise<void> => {
    documents = 0;
    const start = startOfLocalDay(first);
    for await (const doc of raw.collection('CarePlan.resources').find({ keys: termKey('status', 'active') }, { batchSize: 500 })) if (doc) documents++;
    const fromDay = new Date(start.getTime() - 86_400_000).toISOString().slice(0, 10);
    for (const day of (await db.versions.days('CarePlan')).filter((d) => d >= fromDay)) {
      documents += (await raw.collection('CarePlan.versions').find({ keys: dayKey(new Date(`${day}T00:00:00Z`)) }).toArray()).length;
    }
  };
  const rawFigure = await median(rawPass);
  const measures: IndicatorFigures['measures'] = [];
  for (const id of measureIds()) {
    let figures = { unchanged: 0, versions: 0, before: 0 };
    const f = await sampled(async () => {
      figures = (await evaluateMeasure(db.versions, id, period)).figures;
    });
    measures.push({ id, ...f, ...figures });
  }
  const evaluate = async (id: string): Promise<void> => {
    const res = await fetch(`${http.base}/fhir/Measure/${id}/$evaluate-measure?periodStart=${first}&periodEnd=${last}`, { headers: { authorization: `Bearer ${http.token}` } });
    if (res.status !== 200) throw new Error(`$evaluate-measure ${id}: ${res.status} ${(await res.text()).slice(0, 400)}`);
    await res.arrayBuffer();
  };
  const timed = async (f: () => Promise<unknown>): Promise<number> => {
    const t0 = performance.now();
    await f();
    return performance.now() - t0;
  };
  const httpMs = { alone: await timed(() => evaluate('active-plans')), page: await timed(() => Promise.all(measureIds().map(evaluate))) };
  return { period, documents, raw: rawFigure, measures, http: httpMs };
}

export function printIndicatorFigures(f: IndicatorFigures): void {
  console.log(`\n$evaluate-measure over ${f.period.first}…${f.period.last} (raw pass: median of ${RUNS}; heap = peak growth while it runs)`);
  console.log(`  raw driver pass: ${f.documents.toLocaleString('en')} documents in ${f.raw.ms.toFixed(0)} ms, heap +${f.raw.peakHeapMiB.toFixed(1)} MiB`);
  console.log(`  over HTTP: active-plans alone ${f.http.alone.toFixed(0)} ms; all ${f.measures.length} at once (the indicators page) ${f.http.page.toFixed(0)} ms`);
  for (const m of f.measures) {
    console.log(
      `  ${m.id.padEnd(20)} ${m.ms.toFixed(0).padStart(6)} ms (${(m.ms / f.raw.ms).toFixed(2)}× raw), heap +${m.peakHeapMiB.toFixed(1)} MiB | read: ${m.unchanged} unchanged plans, ${m.versions} versions, ${m.before} earlier versions`,
    );
  }
}
