/**
 * A real samplan HTTP server for a test file: the app from src/app.ts on a
 * free loopback port, its own database, and a token minter for any principal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.ts';
import { StoredAuditTrail } from '../../src/audit/index.ts';
import { createAuthenticator, mintDevToken, smartConfiguration, type AuthenticatorConfig, type DevTokenOptions, type SmartConfigurationInput } from '../../src/auth/index.ts';
import type { DevIdp } from '../../src/auth/dev-idp/index.ts';
import { DEV_IDP_PATH, devIdpWanted } from '../../src/auth/dev-idp/wanted.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { buildServices } from '../../src/services.ts';
import { writeChecks } from '../../src/checks.ts';
import { startSubscriptions, subscriptionSettings, type SubscriptionDispatcher } from '../../src/subscriptions/index.ts';
import { webRouter } from '../../src/web/index.ts';
import { WEB_BUNDLE } from './web-bundle.ts';
import type { FhirServices } from '../../src/fhir/types.ts';
import type { Database } from '../../src/store/index.ts';
import { syncControl, type SyncEngine } from '../../src/sync/index.ts';
import { dropTestDatabase, openTestDatabase } from './db.ts';

export const TEST_SECRET = 'test-secret-that-is-at-least-32-bytes-long!';
export const TEST_ISSUER = 'samplan';

export interface TestServer {
  url: string;
  fhir: string;
  db: Database;
  services: FhirServices;
  token(opts?: Partial<DevTokenOptions>): Promise<string>;
  /**
   * Stores a resource as its next version directly through the versioned store,
   * past validation and plan rules: for tests of search or access that need data
   * in states the API only reaches through several steps (e.g. an active plan).
   */
  seed(resource: fhir4.FhirResource & { id: string }): Promise<void>;
  /** fetch against the server with a system token unless `auth: null` or another token is given. */
  request(path: string, init?: RequestInit & { auth?: string | null; json?: unknown }): Promise<Response>;
  /** The development identity provider, when it was started. */
  devIdp?: DevIdp;
  /** The Subscriptions' dispatcher, when it was started (TestServerOptions.subscriptions). */
  subscriptions?: SubscriptionDispatcher;
  /** Stops the server (and its sync); the database is dropped unless kept for a restart. */
  close(opts?: { keepDatabase?: boolean }): Promise<void>;
}

export interface TestServerOptions {
  /** Run on this database (e.g. a "restarted" instance); default a fresh one, dropped on close. */
  db?: Database;
  /** Builds the instance's sync engine (test/support/sync-instance.ts). */
  sync?: (db: Database, services: FhirServices) => Promise<SyncEngine>;
  /** The service log (default: silent), e.g. to check what reaches it. */
  logger?: Logger;
  /**
   * Start the development identity provider as `npm start` would: only when `env`
   * has no SAMPLAN_JWKS_URL and its NODE_ENV (default development) is not production.
   * Its key goes to `dataDir` (default a fresh temporary folder, removed on close).
   */
  devIdp?: boolean | { dataDir: string };
  /** Run the Subscriptions' dispatcher (as `npm start` does), configured by `env`'s SAMPLAN_SUBSCRIPTION_*. */
  subscriptions?: boolean;
  /** Serve the web apps (bundled by the global set-up into build/web), as `npm start` does. */
  web?: boolean;
}

export async function startTestServer(env: Record<string, string> = {}, opts: TestServerOptions = {}): Promise<TestServer> {
  const db = opts.db ?? (await openTestDatabase());
  const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent', SAMPLAN_RATE_LIMIT: '0', SAMPLAN_AUTH_FAILURE_LIMIT: '0', ...env }), port: 0, host: '127.0.0.1' };
  const services = buildServices(db, writeChecks(), subscriptionSettings(config));
  const subscriptions = opts.subscriptions ? await startSubscriptions(db, services.store, subscriptionSettings(config)) : undefined;
  const sync = opts.sync ? await opts.sync(db, services) : undefined;
  // Listen first: the development provider's issuer and the tokens' audience name the port.
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const authenticator: AuthenticatorConfig = { hs256: { secret: TEST_SECRET, issuer: TEST_ISSUER } };
  let smart: SmartConfigurationInput = {};
  let devIdp: DevIdp | undefined;
  let tempDir: string | undefined;
  if (opts.devIdp && devIdpWanted({ NODE_ENV: 'development', ...env })) {
    const dataDir = typeof opts.devIdp === 'object' ? opts.devIdp.dataDir : (tempDir = mkdtempSync(join(tmpdir(), 'samplan-dev-idp-')));
    // Imported only here, as main.ts does: test files without it never load oidc-provider.
    const { createDevIdp } = await import('../../src/auth/dev-idp/index.ts');
    devIdp = await createDevIdp({ origin: url, fhirBase: `${url}/fhir`, dataDir, services });
    authenticator.localJwks = { keys: devIdp.jwks, issuer: devIdp.issuer, audience: `${url}/fhir` };
    smart = devIdp.smart;
  }
  const app = createApp({
    ...(devIdp ? { devIdp: { path: DEV_IDP_PATH, router: devIdp.router } } : {}),
    sync: syncControl(sync, new StoredAuditTrail(db.versions)),
    config,
    logger: opts.logger ?? createLogger('silent'),
    version: 'test',
    services,
    authenticate: createAuthenticator(authenticator),
    smartConfiguration: smartConfiguration(smart),
    ready: () => db.ping(),
    ...(opts.web ? { mounts: [{ path: '/', router: webRouter(WEB_BUNDLE) }] } : {}),
  });
  server.on('request', app);
  const token = (opts: Partial<DevTokenOptions> = {}): Promise<string> => mintDevToken(TEST_SECRET, { kind: 'system', issuer: TEST_ISSUER, ...opts });
  const systemToken = await token();
  return {
    url,
    fhir: `${url}/fhir`,
    db,
    services,
    ...(devIdp ? { devIdp } : {}),
    ...(subscriptions ? { subscriptions } : {}),
    token,
    async seed(resource) {
      const current = await db.versions.current(resource.resourceType, resource.id);
      // As the directory feed (a system client) would write it: directory records seeded here are trusted.
      await db.versions.write({ type: resource.resourceType, id: resource.id, resource, expect: current?.versionId ?? 0, writtenBy: 'system' });
    },
    async request(path, init = {}) {
      const { auth, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      const bearer = auth === undefined ? systemToken : auth;
      if (bearer !== null) headers.set('Authorization', `Bearer ${bearer}`);
      if (json !== undefined) {
        if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/fhir+json');
        rest.body = JSON.stringify(json);
      }
      return fetch(path.startsWith('http') ? path : `${url}${path}`, { ...rest, headers });
    },
    async close(closeOpts = {}) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sync?.stop();
      await subscriptions?.stop();
      if (!closeOpts.keepDatabase) await dropTestDatabase(db);
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
