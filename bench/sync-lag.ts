/**
 * Sync lag (issue 4): a CarePlan written on instance A, until it is readable
 * on instance B — both real SyncEngines with their own databases, one real
 * FHIR server (the medplum peer the tests use). A pushes as soon as it
 * writes; B pulls every `SYNC_INTERVAL_MS`, so the lag is bounded by the push
 * plus B's interval. Baseline, measured in the same run: the same plan PUT on
 * the server and read back directly (the least any sync over that server costs).
 */
import { servicePrincipal } from '../src/auth/principal.ts';
import { dispatch } from '../src/fhir/router.ts';
import type { FhirRequest } from '../src/fhir/types.ts';
import { buildServices } from '../src/services.ts';
import { openDatabase } from '../src/store/index.ts';
import { SyncEngine } from '../src/sync/index.ts';
import { startFhirPeer } from '../test/support/fhir-peer.ts';

export interface LagFigures {
  lag: number[];
  baseline: number[];
  intervalMs: number;
}

export async function measureSyncLag(mongoUri: string, postgresUrl: string, n: number, intervalMs: number): Promise<LagFigures> {
  const peer = await startFhirPeer();
  const [dbA, dbB] = await Promise.all([openDatabase(mongoUri, 'bench_sync_a', { postgresUrl }), openDatabase(mongoUri, 'bench_sync_b', { postgresUrl })]);
  const svcA = buildServices(dbA);
  const svcB = buildServices(dbB);
  const a = await SyncEngine.open(dbA, svcA.store, { remoteUrl: peer.baseUrl, localBase: 'https://a.bench/fhir', instance: 'bench-a', intervalMs });
  const b = await SyncEngine.open(dbB, svcB.store, { remoteUrl: peer.baseUrl, localBase: 'https://b.bench/fhir', instance: 'bench-b', intervalMs });
  a.start();
  b.start();
  const ctx = { principal: servicePrincipal('bench'), requestId: 'bench', baseUrl: 'https://a.bench/fhir' };
  const req = (method: FhirRequest['method'], path: string[], body?: unknown): FhirRequest => ({ method, path, query: [], headers: {}, body, ctx });
  const plan = (id: string, title: string): fhir4.CarePlan => ({
    resourceType: 'CarePlan', id, status: 'draft', intent: 'plan', title, subject: { reference: 'Patient/p1' },
    activity: [{ detail: { status: 'not-started', description: 'measure', performer: [{ reference: 'Organization/o1' }] } }],
  });

  const lag: number[] = [];
  for (let i = 0; i < n; i++) {
    const title = `lag ${i}`;
    const t = performance.now();
    const written = await dispatch(req('PUT', ['CarePlan', `lag${i % 10}`], plan(`lag${i % 10}`, title)), svcA);
    if (written.status >= 300) throw new Error(`the write on A failed (${written.status}): ${JSON.stringify(written.body)}`);
    const deadline = t + 60_000;
    for (;;) {
      const seen = await dbB.versions.current('CarePlan', `lag${i % 10}`);
      if ((seen?.resource as fhir4.CarePlan | null)?.title === title) break;
      if (performance.now() > deadline) throw new Error(`write ${i} did not reach B within a minute: ${JSON.stringify(await b.status())}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    lag.push(performance.now() - t);
  }

  const baseline: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const body = JSON.stringify(plan(`direct${i % 10}`, `direct ${i}`));
    await fetch(`${peer.baseUrl}/CarePlan/direct${i % 10}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body });
    await (await fetch(`${peer.baseUrl}/CarePlan/direct${i % 10}`)).json();
    baseline.push(performance.now() - t);
  }

  await a.stop();
  await b.stop();
  await dbA.models.connection.dropDatabase();
  await dbB.models.connection.dropDatabase();
  await dbA.close();
  await dbB.close();
  await peer.stop();
  return { lag, baseline, intervalMs };
}
