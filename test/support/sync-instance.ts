/**
 * samplan instances that sync with a test peer (test/support/fhir-peer.ts):
 * each a real HTTP server on its own embedded database with a real
 * SyncEngine. The engine's timer is not started: tests drive cycles with
 * `POST /sync/run` (or `cycle()`), so what happens when is deterministic.
 */
import type { Database } from '../../src/store/index.ts';
import { SyncEngine, type CycleResult, type SyncOptions, type SyncStatus } from '../../src/sync/index.ts';
import { startTestServer, type TestServer } from './server.ts';
import { openTestDatabase } from './db.ts';

export interface SyncInstance extends TestServer {
  name: string;
  engine: SyncEngine;
  /** One sync cycle over HTTP (POST /sync/run); fails the test on a non-200 answer. */
  cycle(): Promise<CycleResult>;
  status(): Promise<SyncStatus>;
  /** Stops this process and starts a new one on the same database (same instance). */
  restart(): Promise<SyncInstance>;
  /** JSON of GET /fhir/{path} with a system token. */
  read<T = fhir4.Resource>(path: string): Promise<{ status: number; body: T }>;
  /** PUT/POST/DELETE with a system token (or `auth`); answers status and body. */
  write<T = fhir4.Resource>(method: string, path: string, json?: unknown, headers?: Record<string, string>, auth?: string): Promise<{ status: number; body: T }>;
}

export interface SyncInstanceOptions {
  db?: Database;
  sync?: Partial<SyncOptions>;
  /** Start the engine's own timer (default: cycles only when asked). */
  autoStart?: boolean;
}

export async function startSyncInstance(name: string, peerUrl: string, opts: SyncInstanceOptions = {}): Promise<SyncInstance> {
  const db = opts.db ?? (await openTestDatabase());
  let engine: SyncEngine | undefined;
  // The instance's own base URL is only known once it listens; references use a stable name instead.
  const localBase = `https://${name}.samplan.test/fhir`;
  const server = await startTestServer({}, {
    db,
    sync: async (d, services) => {
      engine = await SyncEngine.open(d, services.store, { remoteUrl: peerUrl, localBase, instance: name, timeoutMs: 3_000, ...opts.sync });
      if (opts.autoStart) engine.start();
      return engine;
    },
  });
  const json = async <T>(res: Response): Promise<{ status: number; body: T }> => {
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const instance: SyncInstance = {
    ...server,
    name,
    engine: engine!,
    async cycle() {
      const r = await json<CycleResult>(await server.request('/sync/run', { method: 'POST' }));
      if (r.status !== 200) throw new Error(`POST /sync/run on ${name} answered ${r.status}: ${JSON.stringify(r.body)}`);
      return r.body;
    },
    async status() {
      return (await json<SyncStatus>(await server.request('/sync/status'))).body;
    },
    async restart() {
      await server.close({ keepDatabase: true });
      return startSyncInstance(name, peerUrl, { ...opts, db });
    },
    async read(path) {
      return json(await server.request(`/fhir/${path}`));
    },
    async write(method, path, body, headers = {}, auth) {
      return json(await server.request(`/fhir/${path}`, { method, headers, ...(auth ? { auth } : {}), ...(body === undefined ? {} : { json: body }) }));
    },
  };
  return instance;
}
