/**
 * The sync engine of one samplan instance: one cycle = take the lease, push
 * the outbox, pull the server's changes, look for deletions. Cycles run every
 * `intervalMs`, at once after a local write or a notification, and — while
 * the server cannot be reached — after a back-off that doubles up to
 * `maxBackoffMs`, with jitter so that many instances do not return at the
 * same moment. Local writes are accepted all the while: they wait in the
 * outbox (the `pending` mark on each version).
 */
import { servicePrincipal, type CallContext } from '../auth/index.ts';
import { findMatching, type Database, type Store } from '../store/index.ts';
import { SYNCED_TYPES, type ResourceDoc } from '../store/models.ts';
import { conflictsOn, type ConflictRecord } from './conflicts.ts';
import type { SyncContext } from './context.ts';
import { detectDeletions, pull } from './inbound.ts';
import { Lease } from './lease.ts';
import { push } from './outbound.ts';
import { queueDepth } from './outbox.ts';
import { RemoteServer, RemoteUnavailable } from './remote.ts';
import { storeResolver } from './resolver.ts';
import { SYNC_STATE_INDEXES, SyncState } from './state.ts';

export interface SyncOptions {
  /** FHIR_SYNC_URL: the server's FHIR base. */
  remoteUrl: string;
  /** This instance's FHIR base URL, as others would reach it (SAMPLAN_PUBLIC_URL). */
  localBase: string;
  /** SAMPLAN_INSTANCE_ID; default: an id made on first start and kept in the database. */
  instance?: string;
  intervalMs?: number;
  /** Per request to the server, until its whole answer has come. */
  timeoutMs?: number;
  /** Largest answer read from the server, in bytes (default 16 MiB; remote.ts). */
  maxBytes?: number;
  /** How far before the checkpoint each pull starts again. */
  overlapMs?: number;
  leaseMs?: number;
  maxBackoffMs?: number;
  /**
   * How often a timed cycle asks the server which shared resources are gone
   * (about one search per 50 resources): deletions are not in a change search.
   * A cycle asked for (POST /sync/run) always does.
   */
  deletionCheckMs?: number;
  /** Headers for every request to the server (e.g. Authorization). */
  headers?: Record<string, string>;
  log?: (level: 'info' | 'warn' | 'error', msg: string, detail?: object) => void;
}

export interface CycleResult {
  /** False when another process of this instance holds the lease. */
  ran: boolean;
  pushed: number;
  pulled: number;
  merged: number;
  deleted: number;
  refused: number;
  error?: string;
}

export interface OpenConflict extends ConflictRecord {
  /** "Type/id" of the resource the conflict is recorded on. */
  resource: string;
}

export interface SyncStatus {
  instance: string;
  server: string;
  running: boolean;
  leaseHeld: boolean;
  queueDepth: number;
  lastPush: string | null;
  lastPull: string | null;
  lastError: { at: string; message: string } | null;
  consecutiveFailures: number;
  nextAttemptInMs: number | null;
  totals: { pushed: number; pulled: number; merged: number };
  conflicts: OpenConflict[];
  refused: { resource: string; at: string; message: string }[];
}

export class SyncEngine {
  private timer: NodeJS.Timeout | undefined;
  private nextAt: number | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private failures = 0;
  private started = false;
  private unsubscribe: (() => void) | undefined;
  private lastDeletionCheck = 0;
  /** The database clock minus this process's clock: lease expiry is judged on the database's time. */
  private clockOffset = 0;

  private constructor(
    private readonly s: SyncContext,
    private readonly lease: Lease,
    private readonly opts: Required<Pick<SyncOptions, 'intervalMs' | 'timeoutMs' | 'overlapMs' | 'maxBackoffMs' | 'deletionCheckMs'>> & SyncOptions,
  ) {}

  static async open(db: Database, store: Store, options: SyncOptions): Promise<SyncEngine> {
    const opts = { intervalMs: 5_000, timeoutMs: 10_000, overlapMs: 5_000, leaseMs: 60_000, maxBackoffMs: 60_000, deletionCheckMs: 60_000, ...options };
    if (opts.leaseMs < 4 * opts.timeoutMs) throw new Error('sync: the lease must outlast a push of one version with room to spare (leaseMs ≥ 4 × timeoutMs)');
    const state = new SyncState(db.models.connection);
    await db.ensureIndexes(SYNC_STATE_INDEXES);
    const instance = await state.instanceId(opts.instance);
    const ctx: CallContext = { principal: servicePrincipal('sync'), requestId: `sync-${instance}`, baseUrl: opts.localBase };
    const s: SyncContext = {
      versions: db.versions,
      store,
      ctx,
      remote: new RemoteServer(opts.remoteUrl, { timeoutMs: opts.timeoutMs, ...(opts.maxBytes ? { maxBytes: opts.maxBytes } : {}), ...(opts.headers ? { headers: opts.headers } : {}) }),
      state,
      instance,
      localBase: opts.localBase.replace(/\/+$/, ''),
      resolver: storeResolver(db.versions),
      now: () => db.versions.now(),
    };
    let engine: SyncEngine | undefined = undefined;
    const lease = new Lease(state.lease, opts.leaseMs, () => Date.now() + (engine?.clockOffset ?? 0));
    engine = new SyncEngine(s, lease, opts);
    return engine;
  }

  get instance(): string {
    return this.s.instance;
  }

  /** Runs cycles on a timer, and soon after every local write of a synced type. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.unsubscribe = this.s.versions.onCommit((docs) => {
      if (docs.some((d) => SYNCED_TYPES.has(d.type) && d.pending)) this.soon();
    });
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.started = false;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.nextAt = null;
    await this.chain.catch(() => undefined);
    await this.lease.release();
  }

  /** A change is waiting (a local write, a server notification): run a cycle now, unless backing off. */
  soon(): void {
    if (!this.started || this.failures > 0) return;
    this.schedule(20); // a short pause lets a burst of writes go out in one cycle
  }

  private schedule(delayMs: number): void {
    if (!this.started) return;
    const at = Date.now() + delayMs;
    if (this.timer && this.nextAt !== null && this.nextAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.nextAt = null;
      void this.runOnce({ full: false }).then((r) => this.schedule(this.delayAfter(r)));
    }, delayMs);
    this.timer.unref();
  }

  private delayAfter(r: CycleResult): number {
    if (!r.error) return this.opts.intervalMs;
    const backoff = Math.min(this.opts.maxBackoffMs, 1_000 * 2 ** Math.min(this.failures - 1, 16));
    return backoff / 2 + Math.random() * (backoff / 2);
  }

  /**
   * One cycle; cycles of one process never overlap (a call during a cycle runs
   * after it). `full` (default): also look for deletions, however recent the last look.
   */
  runOnce(opts: { full?: boolean } = {}): Promise<CycleResult> {
    const run = this.chain.then(() => this.cycle(opts.full ?? true));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async cycle(full: boolean): Promise<CycleResult> {
    const result: CycleResult = { ran: false, pushed: 0, pulled: 0, merged: 0, deleted: 0, refused: 0 };
    const { s } = this;
    try {
      // Processes on different hosts compare lease expiry on one clock, the database's.
      this.clockOffset = (await s.state.serverTime()).getTime() - Date.now();
      if (!(await this.lease.acquire())) return result;
      result.ran = true;
      // Every step is started only with the lease held long enough for it to finish (a push of one
      // version makes up to three requests: read, put, read back); it is renewed on the way.
      const margin = 3 * this.opts.timeoutMs;
      const mayContinue = async () => this.lease.holds(this.lease.ttlMs / 2) || ((await this.lease.acquire()) && this.lease.holds(margin));
      const pushed = await push(s, mayContinue);
      Object.assign(result, { pushed: pushed.pushed, merged: pushed.merged, refused: pushed.refused });
      if (!(await mayContinue())) return result;
      const pulled = await pull(s, this.opts.overlapMs, mayContinue);
      result.pulled = pulled.applied + pulled.merged;
      result.merged += pulled.merged;
      result.refused += pulled.refused;
      const due = full || Date.now() - this.lastDeletionCheck >= this.opts.deletionCheckMs;
      if (due && (await mayContinue())) {
        result.deleted = await detectDeletions(s);
        this.lastDeletionCheck = Date.now();
      }
      await s.state.note({ $inc: { pulled: result.pulled + result.deleted }, $set: { lastPullAt: s.now() } });
      // What the pull merged goes out in the same cycle.
      if (result.merged > 0 && (await mayContinue())) result.pushed += (await push(s, mayContinue)).pushed;
      this.failures = 0;
    } catch (err) {
      this.failures++;
      result.error = err instanceof Error ? err.message : String(err);
      await s.state.note({ $set: { lastError: { at: s.now(), message: result.error } } }).catch(() => undefined);
      this.opts.log?.(err instanceof RemoteUnavailable ? 'warn' : 'error', 'sync cycle failed', { error: result.error, failures: this.failures });
    }
    return result;
  }

  async status(): Promise<SyncStatus> {
    const { s } = this;
    const figures = await s.state.figures();
    const iso = (d: Date | undefined) => (d ? d.toISOString() : null);
    return {
      instance: s.instance,
      server: s.remote.baseUrl,
      running: this.started,
      leaseHeld: this.lease.holds(),
      queueDepth: await queueDepth(s.versions),
      lastPush: iso(figures.lastPushAt),
      lastPull: iso(figures.lastPullAt),
      lastError: figures.lastError ? { at: figures.lastError.at.toISOString(), message: figures.lastError.message } : null,
      consecutiveFailures: this.failures,
      nextAttemptInMs: this.nextAt === null ? null : Math.max(0, this.nextAt - Date.now()),
      totals: { pushed: figures.pushed, pulled: figures.pulled, merged: figures.merged },
      conflicts: await this.openConflicts(),
      refused: (await s.state.withErrors()).map((r) => ({ resource: r._id, at: r.error!.at.toISOString(), message: r.error!.message })),
    };
  }

  private async openConflicts(): Promise<OpenConflict[]> {
    const out: OpenConflict[] = [];
    for (const type of SYNCED_TYPES) {
      const { docs } = await findMatching<ResourceDoc>(this.s.versions, type, 'resources', { deleted: false, 'sp.sync-conflict': 'true' });
      for (const d of docs) for (const c of conflictsOn(d.resource as fhir4.DomainResource)) out.push({ resource: `${type}/${d.id}`, ...c });
    }
    return out;
  }
}
