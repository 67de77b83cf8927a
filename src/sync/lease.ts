/**
 * Who of several processes of one instance (sharing one database) runs sync
 * right now: a lease in the database, so no two processes push the same
 * change (issue 4 "Control").
 *
 * FerretDB v1 makes only unique-key inserts atomic (src/store/models.ts), so
 * the lease is a sequence of terms, one document each: taking or renewing the
 * lease inserts the next term, and of several processes inserting the same
 * term exactly one succeeds. A term is good until it expires; a holder that
 * stops hands it back by inserting an already expired term.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { mongo } from 'mongoose';
import { isDuplicateKey } from '../store/models.ts';

type Collection<T extends object> = mongo.Collection<T>;

export interface Term {
  _id: string;
  term: number;
  holder: string;
  expires: Date;
}

const termId = (n: number): string => `term-${String(n).padStart(12, '0')}`;

export class Lease {
  /** This process. */
  readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private until = 0;
  private term = 0;

  constructor(
    private readonly terms: Collection<Term>,
    readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Whether this process holds the lease for at least `margin` ms more. */
  holds(marginMs = 0): boolean {
    return this.until - this.clock() > marginMs;
  }

  /** Takes, keeps or renews the lease; false when another process holds it. */
  async acquire(): Promise<boolean> {
    const latest = await this.terms.find({}).sort({ term: -1 }).limit(1).next();
    const now = this.clock();
    if (latest && latest.holder !== this.holder && latest.expires.getTime() > now) {
      this.until = 0;
      return false;
    }
    if (latest && latest.holder === this.holder && latest.expires.getTime() - now > this.ttlMs / 2) {
      this.until = latest.expires.getTime();
      return true;
    }
    const next = (latest?.term ?? 0) + 1;
    const expires = new Date(now + this.ttlMs);
    try {
      await this.terms.insertOne({ _id: termId(next), term: next, holder: this.holder, expires });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      this.until = 0;
      return false; // another process took this term first
    }
    this.term = next;
    this.until = expires.getTime();
    await this.terms.deleteMany({ term: { $lt: next - 10 } });
    return true;
  }

  /** Hands the lease back at once (on shutdown), so another process need not wait for it to expire. */
  async release(): Promise<void> {
    if (!this.holds()) return;
    this.until = 0;
    try {
      await this.terms.insertOne({ _id: termId(this.term + 1), term: this.term + 1, holder: `${this.holder}:released`, expires: new Date(this.clock()) });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
}
