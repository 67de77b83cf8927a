/**
 * The HTTP side of the benchmark, in a process of its own (so the load
 * generator never shares an event loop with the server it measures):
 *
 *   - the real samplan app (createApp + buildServices + createAuthenticator,
 *     as test/support/server.ts assembles it) on a free loopback port, on the
 *     benchmark's database, without rate limit or concurrency gate, silent log;
 *   - bare Express on another port, serving from memory the bodies the parent
 *     sends it (the same JSON samplan answered), as the floor of any Express
 *     service on this machine.
 *
 * Started by run.ts with fork(); it answers `{ samplan, bare }` (the URLs) and
 * takes `{ payloads }` and `{ stop }` messages.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createApp } from '../src/app.ts';
import { StoredAuditTrail } from '../src/audit/index.ts';
import { createAuthenticator, smartConfiguration } from '../src/auth/index.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { buildServices } from '../src/services.ts';
import { openDatabase } from '../src/store/index.ts';
import { syncControl } from '../src/sync/index.ts';

export const BENCH_SECRET = 'bench-secret-that-is-at-least-32-bytes-long!';
export const BENCH_ISSUER = 'samplan';

export type ToChild = { payloads: Record<string, { status: number; body: string }> } | { stop: true };
export type FromChild = { samplan: string; bare: string } | { ready: 'payloads' };

const listen = (app: express.Express): Promise<Server> =>
  new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
const urlOf = (s: Server): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

async function main(): Promise<void> {
  const uri = process.env.BENCH_URI!;
  const db = await openDatabase(uri, process.env.BENCH_DB!, { postgresUrl: process.env.BENCH_PG! });
  const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent', SAMPLAN_RATE_LIMIT: '0', SAMPLAN_CONCURRENCY: '0', SAMPLAN_AUTH_FAILURE_LIMIT: '0' }), port: 0, host: '127.0.0.1' };
  const app = createApp({
    sync: syncControl(undefined, new StoredAuditTrail(db.versions)),
    config,
    logger: createLogger('silent'),
    version: 'bench',
    services: buildServices(db),
    authenticate: createAuthenticator({ hs256: { secret: BENCH_SECRET, issuer: BENCH_ISSUER } }),
    smartConfiguration: smartConfiguration({}),
    ready: () => db.ping(),
  });
  const server = await listen(app);

  let payloads: Record<string, { status: number; body: string }> = {};
  const bare = express();
  bare.disable('x-powered-by');
  bare.use(express.json({ type: ['application/json', 'application/fhir+json', 'application/json-patch+json'], limit: '1mb' }));
  bare.all('/s/:name', (req, res) => {
    const p = payloads[String(req.params.name)];
    if (!p) return void res.status(404).end();
    res.status(p.status).type('application/fhir+json').send(p.body);
  });
  const bareServer = await listen(bare);

  process.on('message', async (m: ToChild) => {
    if ('payloads' in m) {
      payloads = m.payloads;
      process.send!({ ready: 'payloads' } satisfies FromChild);
    } else {
      server.closeAllConnections();
      bareServer.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => bareServer.close(() => r()));
      await db.close();
      process.exit(0);
    }
  });
  process.send!({ samplan: urlOf(server), bare: urlOf(bareServer) } satisfies FromChild);
}

if (process.send) void main();
