/**
 * Runs the Subscriptions: one round = take the lease, handshake the
 * `requested` ones, fan the marked changes out to the active ones
 * (queue.ts), then send each active one's waiting deliveries in order.
 * Rounds run every `intervalMs` and soon after a local write.
 *
 *   - Access, as the owner, through the store's access policy: a change the
 *     owner may not read when it is judged is not queued (Store.readable),
 *     and each notification is judged again when it is sent
 *     (Store.notification, audited as a disclosure to the owner): what they
 *     may no longer read by then is withheld, never sent.
 *   - Failures: a subscription whose endpoint fails waits retryMs × 2^(n−1)
 *     (at most 64 × retryMs) before its next attempt, its queue kept in
 *     order; after maxFailures in a row it turns `error` with
 *     Subscription.error saying why (https://hl7.org/fhir/R4/subscription.html#errors).
 *     The owner asks again by setting it `requested`; what waited is then sent.
 *   - Several processes on one database take turns through a lease, as sync does.
 */
import { servicePrincipal, type CallContext, type Principal } from '../auth/index.ts';
import { FhirError } from '../errors.ts';
import { findMatching, parseSearch, type Database, type ResourceDoc, type Store, type VersionDoc } from '../store/index.ts';
import { Lease, type Term } from '../sync/lease.ts';
import { allowedEndpoint, DeliveryFailed, requestFor, send } from './channel.ts';
import { parseCriteria } from './criteria.ts';
import type { AllowList } from './endpoint.ts';
import { ownerOf } from './owner.ts';
import { Queue, SUBSCRIPTION_INDEXES, type Listener } from './queue.ts';

export interface DispatcherOptions {
  allow: AllowList;
  /** First back-off after a failed delivery (SAMPLAN_SUBSCRIPTION_RETRY_MS); it doubles per failure. */
  retryMs: number;
  /** Failures in a row before the subscription turns `error` (SAMPLAN_SUBSCRIPTION_MAX_FAILURES). */
  maxFailures: number;
  /** Per request to an endpoint (SAMPLAN_SUBSCRIPTION_TIMEOUT_MS). */
  timeoutMs: number;
  /** Between rounds when nothing prompts one (SAMPLAN_SUBSCRIPTION_INTERVAL_MS). */
  intervalMs: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, detail?: object) => void;
}

interface Active extends Listener {
  versionId: number;
  resource: fhir4.Subscription;
  owner: Principal;
}

export interface RoundResult {
  ran: boolean;
  activated: number;
  queued: number;
  delivered: number;
  withheld: number;
  failed: number;
}

export class SubscriptionDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private nextAt = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private started = false;
  /** Undoes start(): the commit listener and the pending timer. */
  private halt: (() => void) | undefined;
  private readonly service: CallContext = { principal: servicePrincipal('subscriptions'), requestId: 'subscriptions', baseUrl: '' };

  private constructor(
    private readonly db: Database,
    private readonly store: Store,
    private readonly queue: Queue,
    private readonly lease: Lease,
    private readonly opts: DispatcherOptions,
  ) {}

  static async open(db: Database, store: Store, opts: DispatcherOptions): Promise<SubscriptionDispatcher> {
    await db.ensureIndexes(SUBSCRIPTION_INDEXES);
    const lease = new Lease(db.models.connection.collection<Term>('subscription.lease'), Math.max(60_000, 4 * opts.timeoutMs));
    return new SubscriptionDispatcher(db, store, new Queue(db.models.connection), lease, opts);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    // A local write of a watched type brings the next round forward (a short pause gathers a burst).
    const unsubscribe = this.db.versions.onCommit((docs) => void (docs.some((d) => d.notify) && this.schedule(20)));
    this.halt = () => {
      unsubscribe();
      clearTimeout(this.timer);
    };
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.started = false;
    this.halt?.();
    await this.chain.catch(() => undefined);
    await this.lease.release();
  }

  /** The next round in `delayMs`, unless one is due sooner already (a stream of writes must not keep pushing it back). */
  private schedule(delayMs: number): void {
    if (!this.started) return;
    const at = Date.now() + delayMs;
    if (this.timer && this.nextAt <= at) return;
    clearTimeout(this.timer);
    this.nextAt = at;
    const timer = setTimeout(() => {
      this.timer = undefined;
      void this.runOnce().then(() => this.schedule(this.opts.intervalMs));
    }, delayMs);
    this.timer = timer.unref();
  }

  /** One round; rounds of one process never overlap. */
  runOnce(): Promise<RoundResult> {
    const run = this.chain.then(() => this.round());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async round(): Promise<RoundResult> {
    const result: RoundResult = { ran: false, activated: 0, queued: 0, delivered: 0, withheld: 0, failed: 0 };
    try {
      if (!(await this.lease.acquire())) return result;
      result.ran = true;
      for (const s of await this.withStatus('requested')) if (await this.handshake(s)) result.activated++;
      const active = await this.active();
      result.queued = await this.queue.fanOut(this.db.versions, active);
      for (const s of active) await this.drain(s, result);
    } catch (err) {
      this.opts.log?.('error', 'subscription round failed', { error: err instanceof Error ? err.message : String(err) });
    }
    return result;
  }

  private async withStatus(status: string): Promise<ResourceDoc[]> {
    const { filter } = parseSearch('Subscription', [['status', status]], false);
    return (await findMatching<ResourceDoc>(this.db.versions, 'Subscription', 'resources', filter)).docs.filter((d) => !d.deleted && d.resource);
  }

  /** The active subscriptions samplan can act for: a readable owner and criteria, and a handshake behind them. */
  private async active(): Promise<Active[]> {
    const out: Active[] = [];
    for (const d of await this.withStatus('active')) {
      const resource = d.resource as fhir4.Subscription;
      const owner = ownerOf(resource);
      const { activatedAt } = await this.queue.state(d.id);
      if (!owner || !activatedAt) continue;
      try {
        const criteria = parseCriteria(resource.criteria);
        // The owner's reach is looked up once a round, and only in a round that has changes to judge.
        let test: Promise<(doc: VersionDoc) => boolean> | undefined;
        const mayRead = async (doc: VersionDoc): Promise<boolean> => (await (test ??= this.store.readable(this.asOwner(d.id, owner), criteria.type)))(doc);
        out.push({ id: d.id, versionId: d.versionId, resource, owner, activatedAt, criteria, mayRead, ...(resource.end ? { end: new Date(resource.end) } : {}) });
      } catch (err) {
        await this.setStatus(d.id, d.versionId, 'error', `The criteria can no longer be judged: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return out;
  }

  private asOwner(id: string, principal: Principal): CallContext {
    return { principal, requestId: `subscription-${id}`, baseUrl: '' };
  }

  /** requested → active after a successful handshake with the endpoint; error when it fails. */
  private async handshake(d: ResourceDoc): Promise<boolean> {
    const sub = d.resource as fhir4.Subscription;
    try {
      await send(sub, requestFor(sub, allowedEndpoint(sub, this.opts.allow)), this.opts.allow, this.opts.timeoutMs);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      await this.setStatus(d.id, d.versionId, 'error', `The handshake with the endpoint failed: ${why}`);
      return false;
    }
    await this.queue.setState(d.id, { activatedAt: this.db.versions.now(), failures: 0 }, ['retryAt', 'lastError']);
    return this.setStatus(d.id, d.versionId, 'active');
  }

  /** Sends the waiting deliveries of one subscription in order, stopping at the first failure. */
  private async drain(s: Active, result: RoundResult): Promise<void> {
    const state = await this.queue.state(s.id);
    const now = this.db.versions.now();
    if (state.retryAt && state.retryAt > now) return;
    const owner = this.asOwner(s.id, s.owner);
    for (const d of await this.queue.waiting(s.id)) {
      let why: string | undefined;
      const deliver = async (change: VersionDoc): Promise<void> => {
        try {
          await send(s.resource, requestFor(s.resource, allowedEndpoint(s.resource, this.opts.allow), change), this.opts.allow, this.opts.timeoutMs);
        } catch (err) {
          // A failed attempt is recorded as such by the audit trail, with why.
          if (!(err instanceof DeliveryFailed)) throw err;
          why = err.message;
          throw new FhirError('unavailable', { code: 'transient', diagnostics: `Notification not delivered: ${why}` });
        }
      };
      try {
        await this.store.notification(owner, s.id, d.type, d.id, d.versionId, deliver);
      } catch (err) {
        if (!(err instanceof FhirError)) throw err;
        if (err.kind === 'not-found' || err.kind === 'forbidden') {
          await this.queue.done(d, 'withheld', now);
          result.withheld++;
          continue;
        }
        if (err.kind !== 'unavailable') throw err;
        result.failed++;
        await this.failed(s, state.failures + 1, why ?? err.message);
        return;
      }
      await this.queue.done(d, 'delivered', this.db.versions.now());
      result.delivered++;
      if (state.failures > 0) {
        state.failures = 0;
        await this.queue.setState(s.id, { failures: 0 }, ['retryAt', 'lastError']);
      }
    }
  }

  private async failed(s: Active, failures: number, why: string): Promise<void> {
    this.opts.log?.('warn', 'subscription delivery failed', { subscription: s.id, failures, error: why });
    if (failures >= this.opts.maxFailures) {
      await this.queue.setState(s.id, { failures: 0, lastError: why }, ['retryAt']);
      await this.setStatus(s.id, s.versionId, 'error', `Delivery failed ${failures} times in a row; the last time: ${why}`);
      return;
    }
    const wait = Math.min(64, 2 ** (failures - 1)) * this.opts.retryMs;
    await this.queue.setState(s.id, { failures, lastError: why, retryAt: new Date(this.db.versions.now().getTime() + wait) });
  }

  /**
   * The server's own move of Subscription.status (and .error), written as
   * samplan on the version it judged: if the owner changed the subscription
   * meanwhile, the write loses (412) and the next round judges their version.
   */
  private async setStatus(id: string, versionId: number, status: fhir4.Subscription['status'], error?: string): Promise<boolean> {
    const current = await this.db.versions.version('Subscription', id, versionId);
    if (!current?.resource) return false;
    const { error: _old, ...rest } = current.resource as fhir4.Subscription;
    const resource: fhir4.Subscription = { ...rest, status, ...(error ? { error } : {}) };
    try {
      await this.store.write(this.service, 'update', { type: 'Subscription', id, resource, expect: versionId, current });
      this.opts.log?.(status === 'error' ? 'warn' : 'info', `subscription ${status}`, { subscription: id, ...(error ? { error } : {}) });
      return true;
    } catch (err) {
      if (err instanceof FhirError && err.kind === 'precondition-failed') return false;
      throw err;
    }
  }
}
