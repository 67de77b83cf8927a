/**
 * What one principal (or one client address) may ask of the service, so that
 * nobody slows everyone else down (issue 9, "Load from one principal"):
 *
 *  - Budget: units of work per minute, in fixed one-minute windows. A request
 *    costs one; a batch entry or a search term beyond the first costs one more
 *    each (CallContext.spend). Used per principal, and per address for failed
 *    sign-ins.
 *  - Gate: at most `size` requests of one principal run at once; the rest
 *    wait their turn in a bounded queue, so one client's twenty parallel
 *    searches take turns with each other instead of with everyone.
 *
 * In memory, per process: limits protect this process's CPU and database
 * connection, which is what an abusive client exhausts.
 */
import { FhirError } from './errors.ts';

interface Window {
  used: number;
  resetAt: number;
}

export class Budget {
  private readonly windows = new Map<string, Window>();

  constructor(
    readonly perMinute: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Spends `units` of `key`'s budget; false (and nothing spent) when that would go over. */
  trySpend(key: string, units: number): boolean {
    const now = this.clock();
    if (this.windows.size > 10_000) for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { used: 0, resetAt: now + 60_000 };
      this.windows.set(key, w);
    }
    if (w.used + units > this.perMinute) return false;
    w.used += units;
    return true;
  }

  /** Whole seconds until `key`'s window starts afresh (at least 1). */
  retryAfter(key: string): number {
    const w = this.windows.get(key);
    return Math.max(1, Math.ceil(((w?.resetAt ?? 0) - this.clock()) / 1000));
  }

  /** Spends or throws 429 with Retry-After. */
  spend(key: string, units: number, what: string): void {
    if (units <= 0 || this.trySpend(key, units)) return;
    const seconds = this.retryAfter(key);
    throw new FhirError('too-many-requests', { diagnostics: `${what}: more than ${this.perMinute} a minute; slow down` }, { 'Retry-After': String(seconds) });
  }
}

interface Lane {
  running: number;
  waiting: (() => void)[];
}

export class Gate {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    readonly size: number,
    private readonly queue: number,
  ) {}

  /** Resolves with a release function once `key` may run; throws 429 when its queue is full. */
  async enter(key: string): Promise<() => void> {
    const lane = this.lanes.get(key) ?? { running: 0, waiting: [] };
    this.lanes.set(key, lane);
    if (lane.running >= this.size) {
      if (lane.waiting.length >= this.queue) {
        throw new FhirError('too-many-requests', { diagnostics: `More than ${this.size + this.queue} requests at once from one client; wait for some to finish` }, { 'Retry-After': '1' });
      }
      await new Promise<void>((resolve) => lane.waiting.push(resolve));
    } else lane.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = lane.waiting.shift();
      if (next) next(); // the slot passes straight to the next in line
      else if (--lane.running === 0) this.lanes.delete(key);
    };
  }
}
