/** Configuration from the environment; every variable is listed in the README. */
import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** Unset: the embedded FerretDB is launched. */
  mongoUri?: string;
  mongoDb: string;
  dataDir: string;
  /** External base URL of the FHIR endpoint (for Location headers and links); derived from the request when unset. */
  publicUrl?: string;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  corsOrigins: string[];
  /** Requests per principal per minute (a batch entry or extra search term counts as one); 0 turns rate limiting off. */
  rateLimitPerMinute: number;
  /** Refused tokens per client address per minute before it is answered 429; 0: no limit. */
  authFailuresPerMinute: number;
  /** Requests of one principal served at once (the rest wait their turn); 0: no limit. */
  concurrencyPerPrincipal: number;
  logLevel: string;
  /** FHIR_SYNC_URL: the FHIR server to sync with; unset: no sync. */
  syncUrl?: string;
  /** FHIR_SYNC_TOKEN: a bearer token for the sync server, if it wants one. */
  syncToken?: string;
  /** SAMPLAN_SYNC_INTERVAL_MS: how often to pull when nothing prompts it. */
  syncIntervalMs: number;
  /** SAMPLAN_INSTANCE_ID: this instance's name in what it pushes; default one made on first start. */
  instanceId?: string;
  /** NODE_ENV=production: Subscription endpoints must be https. */
  production: boolean;
  /** SAMPLAN_SUBSCRIPTION_HOSTS: host names, *.domain patterns, IP addresses or CIDR blocks Subscriptions may notify. */
  subscriptionHosts: string[];
  /** SAMPLAN_SUBSCRIPTION_RETRY_MS: the first back-off after a failed notification (it doubles, up to 64×). */
  subscriptionRetryMs: number;
  /** SAMPLAN_SUBSCRIPTION_MAX_FAILURES: failed notifications in a row before a Subscription turns `error`. */
  subscriptionMaxFailures: number;
  /** SAMPLAN_SUBSCRIPTION_TIMEOUT_MS: how long one notification may take. */
  subscriptionTimeoutMs: number;
  /** SAMPLAN_SUBSCRIPTION_INTERVAL_MS: how often to look for changes when no local write prompts it. */
  subscriptionIntervalMs: number;
  /** SAMPLAN_EXAMPLES: load fhir-examples/ into an empty database when development sign-in is on (default on). */
  loadExamples: boolean;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, not '${raw}'`);
  return n;
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'on' || raw === 'off') return raw === 'on';
  throw new Error(`${name} must be 'on' or 'off', not '${raw}'`);
}

export function loadConfig(env: Env = process.env): Config {
  const set = (name: string): string | undefined => env[name]?.trim() || undefined;
  const cfg: Config = {
    port: int(env, 'PORT', 8080, 0, 65535),
    host: set('HOST') ?? '0.0.0.0',
    mongoDb: set('MONGODB_DB') ?? 'samplan',
    dataDir: resolve(set('SAMPLAN_DATA_DIR') ?? './data'),
    bodyLimit: int(env, 'SAMPLAN_BODY_LIMIT', 1024 * 1024, 1024, 64 * 1024 * 1024),
    corsOrigins: (set('SAMPLAN_CORS_ORIGINS') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    rateLimitPerMinute: int(env, 'SAMPLAN_RATE_LIMIT', 600, 0, 1_000_000),
    authFailuresPerMinute: int(env, 'SAMPLAN_AUTH_FAILURE_LIMIT', 30, 0, 1_000_000),
    concurrencyPerPrincipal: int(env, 'SAMPLAN_CONCURRENCY', 4, 0, 1000),
    logLevel: set('LOG_LEVEL') ?? 'info',
    syncIntervalMs: int(env, 'SAMPLAN_SYNC_INTERVAL_MS', 5_000, 50, 3_600_000),
    production: set('NODE_ENV') === 'production',
    subscriptionHosts: (set('SAMPLAN_SUBSCRIPTION_HOSTS') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    subscriptionRetryMs: int(env, 'SAMPLAN_SUBSCRIPTION_RETRY_MS', 2_000, 10, 3_600_000),
    subscriptionMaxFailures: int(env, 'SAMPLAN_SUBSCRIPTION_MAX_FAILURES', 8, 1, 1000),
    subscriptionTimeoutMs: int(env, 'SAMPLAN_SUBSCRIPTION_TIMEOUT_MS', 10_000, 100, 300_000),
    subscriptionIntervalMs: int(env, 'SAMPLAN_SUBSCRIPTION_INTERVAL_MS', 1_000, 10, 3_600_000),
    loadExamples: onOff(env, 'SAMPLAN_EXAMPLES', true),
  };
  const mongoUri = set('MONGODB_URI');
  if (mongoUri) cfg.mongoUri = mongoUri;
  const publicUrl = set('SAMPLAN_PUBLIC_URL');
  if (publicUrl) cfg.publicUrl = publicUrl.replace(/\/+$/, '');
  const syncUrl = set('FHIR_SYNC_URL');
  if (syncUrl) cfg.syncUrl = syncUrl.replace(/\/+$/, '');
  const syncToken = set('FHIR_SYNC_TOKEN');
  if (syncToken) cfg.syncToken = syncToken;
  const instanceId = set('SAMPLAN_INSTANCE_ID');
  if (instanceId) {
    // It goes into meta.source URIs on the server.
    if (!/^[A-Za-z0-9.-]{1,64}$/.test(instanceId)) throw new Error(`SAMPLAN_INSTANCE_ID may hold letters, digits, '.' and '-' (at most 64), not '${instanceId}'`);
    cfg.instanceId = instanceId;
  }
  return cfg;
}
