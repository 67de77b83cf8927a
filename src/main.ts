/**
 * `npm start`: the service on MONGODB_URI, or on the embedded FerretDB (on its
 * own PostgreSQL) when that is unset (DESIGN.md "Components"). Stops cleanly on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createApp } from './app.ts';
import { StoredAuditTrail } from './audit/index.ts';
import { authSettingsFromEnv, createAuthenticator, smartConfiguration } from './auth/index.ts';
import type { DevIdp } from './auth/dev-idp/index.ts';
import { DEV_IDP_PATH, devIdpWanted, publicOrigin } from './auth/dev-idp/wanted.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { buildServices } from './services.ts';
import { startSubscriptions, subscriptionSettings } from './subscriptions/index.ts';
import { writeChecks } from './checks.ts';
import { openDatabase } from './store/index.ts';
import { SyncEngine, syncControl } from './sync/index.ts';
import { PROJECT_ROOT } from './store/embedded/binary.ts';
import { launchEmbeddedDatabase, type EmbeddedDatabase } from './store/embedded/launch.ts';
import { loadExamplesIfEmpty } from './examples.ts';
import { ensureWebBuilt, webRouter } from './web/index.ts';

const config = loadConfig();
const logger = createLogger(config.logLevel);
const version = (JSON.parse(readFileSync(`${PROJECT_ROOT}/package.json`, 'utf8')) as { version: string }).version;

let embedded: EmbeddedDatabase | undefined;
let uri = config.mongoUri;
if (uri) {
  logger.info({ database: config.mongoDb }, 'using the MongoDB at MONGODB_URI');
} else {
  embedded = await launchEmbeddedDatabase({ dataDir: `${config.dataDir}/db`, log: (m) => logger.info(m) });
  uri = embedded.uri;
  logger.info({ dataDir: embedded.dataDir, uri }, 'MONGODB_URI is unset: using the embedded FerretDB (PostgreSQL backend, on a private cluster in the data folder)');
}

const db = await openDatabase(uri, config.mongoDb, embedded ? { postgresUrl: embedded.postgresUrl } : {});
const auth = authSettingsFromEnv(process.env);
if (auth.devSecret) {
  logger.warn({ file: auth.devSecret.file }, `development token secret ${auth.devSecret.created ? 'created' : 'loaded'}; mint tokens with: npm run -s token -- --patient Patient/p1 (or --practitioner Practitioner/x, --system)`);
}
const services = buildServices(db, writeChecks(), subscriptionSettings(config));
const subscriptions = await startSubscriptions(db, services.store, subscriptionSettings(config), (level, msg, detail) => logger[level](detail ?? {}, msg));
let sync: SyncEngine | undefined;
if (config.syncUrl) {
  const localBase = config.publicUrl ?? `http://localhost:${config.port}/fhir`;
  if (!config.publicUrl) logger.warn({ localBase }, 'SAMPLAN_PUBLIC_URL is unset: references to this instance\'s patients and practitioners go to the sync server with this base');
  sync = await SyncEngine.open(db, services.store, {
    remoteUrl: config.syncUrl,
    localBase,
    intervalMs: config.syncIntervalMs,
    ...(config.instanceId ? { instance: config.instanceId } : {}),
    ...(config.syncToken ? { headers: { authorization: `Bearer ${config.syncToken}` } } : {}),
    log: (level, msg, detail) => logger[level](detail ?? {}, msg),
  });
  sync.start();
  logger.info({ server: config.syncUrl, instance: sync.instance }, 'syncing CarePlan, CareTeam and Goal with the FHIR server');
}
// The development identity provider: only without an external one, and never in production (DESIGN.md).
let devIdp: DevIdp | undefined;
if (devIdpWanted(process.env)) {
  const origin = publicOrigin(config.publicUrl, config.port);
  const fhirBase = config.publicUrl ?? `${origin}/fhir`;
  // Loaded only here: with an external provider or in production oidc-provider is not even imported.
  const { createDevIdp } = await import('./auth/dev-idp/index.ts');
  devIdp = await createDevIdp({ origin, fhirBase, dataDir: config.dataDir, services });
  auth.authenticator.localJwks = { keys: devIdp.jwks, issuer: devIdp.issuer, audience: fhirBase };
  auth.smart = { ...auth.smart, ...devIdp.smart };
  logger.warn({ issuer: devIdp.issuer }, `development sign-in is on: open ${devIdp.issuer}/auth?… from an app, or see README "Development sign-in"; it is off with SAMPLAN_JWKS_URL or NODE_ENV=production`);
}
// The web apps, bundled now unless the bundle is newer than their sources.
const web = await ensureWebBuilt(join(PROJECT_ROOT, 'build/web'));
logger.info({ dir: web.outDir, built: web.built }, web.built ? 'web apps bundled' : 'web apps up to date');
// Something to sign in to: the examples, into an empty database, when development sign-in is on.
if (devIdp && config.loadExamples) {
  const loaded = await loadExamplesIfEmpty(services, config.publicUrl ?? `${publicOrigin(config.publicUrl, config.port)}/fhir`);
  if (loaded) logger.warn(loaded, 'the database was empty: loaded the example plans of fhir-examples/ (SAMPLAN_EXAMPLES=off to not)');
}
const app = createApp({
  mounts: [{ path: '/', router: webRouter(web.outDir) }],
  ...(devIdp ? { devIdp: { path: DEV_IDP_PATH, router: devIdp.router } } : {}),
  config,
  logger,
  version,
  services,
  sync: syncControl(sync, new StoredAuditTrail(db.versions)),
  authenticate: createAuthenticator(auth.authenticator),
  smartConfiguration: smartConfiguration(auth.smart),
  ready: () => db.ping(),
});

const server: Server = app.listen(config.port, config.host, () => {
  logger.info({ port: config.port, host: config.host }, `samplan listening: the patient's page at http://localhost:${config.port}/app/, the FHIR API at http://localhost:${config.port}/fhir/metadata`);
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await sync?.stop();
  await subscriptions.stop();
  await db.close();
  await embedded?.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
