/**
 * What sync remembers, in the instance's own database next to the resources:
 *
 *   sync.resources    per synced resource: the server's version last shared
 *                     (`remoteVid`) and the local version with that content
 *                     (`base`, the ancestor of a three-way merge);
 *   sync.checkpoints  per type: up to when the server's changes were pulled;
 *   sync.meta         this instance's id (made once, on first start) and the
 *                     figures /sync/status shows;
 *   sync.lease        the lease (lease.ts).
 *
 * The outbox itself is not here: it is the `pending` mark on each local
 * version (src/store/models.ts), written by the version's own insert.
 * Only the process holding the lease writes these documents.
 */
import { randomUUID } from 'node:crypto';
import type { Connection, mongo } from 'mongoose';
import type { IndexSpec } from '../store/index.ts';
import { isDuplicateKey } from '../store/models.ts';
import type { Term } from './lease.ts';

/**
 * What the sync state's queries rely on (store/indexes.ts): a type's shared
 * resources (deletion checks) and the refused ones (/sync/status) by a
 * top-level field each; the rest are `_id` lookups. The lease's terms are
 * found by `_id`, and the newest among the last few kept.
 */
export const SYNC_STATE_INDEXES: IndexSpec[] = [
  { collection: 'sync.resources', fields: ['_id', 'type', 'refused'] },
  { collection: 'sync.checkpoints', fields: ['_id'] },
  { collection: 'sync.meta', fields: ['_id'] },
  { collection: 'sync.lease', fields: ['_id'] },
];

export interface ResourceState {
  _id: string; // "Type/id"
  type: string;
  id: string;
  /** The server's version both sides last had; null: not on the server (not yet pushed, or deleted there). */
  remoteVid: string | null;
  /** The newest local version the server has (pushed, or taken in from it); 0: none. Only grows. */
  base: number;
  /**
   * `remoteVid`'s content (meta aside, in the server's form): the ancestor of a
   * three-way merge. Kept here because after a merge it is no local version.
   */
  baseContent?: object | null;
  /** The last refusal (by the server or by validation here) of a change of this resource. */
  error?: { at: Date; message: string };
  /** Set with `error`: the field the refusals are listed by. */
  refused?: true;
}

export interface StatusFigures {
  _id: 'status';
  lastPushAt?: Date;
  lastPullAt?: Date;
  lastError?: { at: Date; message: string };
  pushed: number;
  pulled: number;
  merged: number;
}

interface Checkpoint {
  _id: string; // the type
  at: Date;
}

interface MetaDoc {
  _id: string;
  value: string;
}

export class SyncState {
  readonly resources: mongo.Collection<ResourceState>;
  readonly checkpoints: mongo.Collection<Checkpoint>;
  readonly meta: mongo.Collection<MetaDoc>;
  readonly status: mongo.Collection<StatusFigures>;
  readonly lease: mongo.Collection<Term>;

  private readonly db: mongo.Db;

  constructor(connection: Connection) {
    const db = connection.db;
    if (!db) throw new Error('sync needs an open database connection');
    this.db = db;
    this.resources = db.collection<ResourceState>('sync.resources');
    this.checkpoints = db.collection<Checkpoint>('sync.checkpoints');
    this.meta = db.collection<MetaDoc>('sync.meta');
    this.status = db.collection<StatusFigures>('sync.meta');
    this.lease = db.collection<Term>('sync.lease');
  }

  /** The database server's clock: the one clock all processes sharing the lease agree on. */
  async serverTime(): Promise<Date> {
    const hello = (await this.db.admin().command({ hello: 1 })) as { localTime?: Date };
    return hello.localTime instanceof Date ? hello.localTime : new Date();
  }

  /** This instance's id: `wanted` if given, else the one made on first start (every process of the instance agrees). */
  async instanceId(wanted?: string): Promise<string> {
    if (wanted) return wanted;
    try {
      await this.meta.insertOne({ _id: 'instance', value: randomUUID() });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const doc = await this.meta.findOne({ _id: 'instance' });
    if (!doc) throw new Error('sync: the instance id could not be stored');
    return doc.value;
  }

  get(type: string, id: string): Promise<ResourceState | null> {
    return this.resources.findOne({ _id: `${type}/${id}` });
  }

  async set(type: string, id: string, change: Partial<Omit<ResourceState, '_id' | 'type' | 'id'>>, clearError = true): Promise<void> {
    // `refused` stands beside `error` so that listing the refusals is a probe (a top-level boolean).
    const update: mongo.UpdateFilter<ResourceState> = { $set: { type, id, ...change, ...(change.error ? { refused: true } : {}) } };
    if (clearError && !change.error) update.$unset = { error: '', refused: '' };
    await this.resources.updateOne({ _id: `${type}/${id}` }, update, { upsert: true });
  }

  /** Resources the server had when last seen: the ones whose deletion there must be looked for. */
  async onServer(type: string): Promise<ResourceState[]> {
    // By `type` alone (an indexed probe); which of them the server has is judged here.
    return (await this.resources.find({ type }).toArray()).filter((r) => r.remoteVid !== null && r.remoteVid !== undefined);
  }

  /** Resources whose last change was refused. */
  withErrors(): Promise<ResourceState[]> {
    return this.resources.find({ refused: true }).toArray();
  }

  async checkpoint(type: string): Promise<Date | undefined> {
    return (await this.checkpoints.findOne({ _id: type }))?.at;
  }

  async setCheckpoint(type: string, at: Date): Promise<void> {
    await this.checkpoints.updateOne({ _id: type }, { $set: { at } }, { upsert: true });
  }

  async figures(): Promise<StatusFigures> {
    return { _id: 'status', pushed: 0, pulled: 0, merged: 0, ...(await this.status.findOne({ _id: 'status' })) };
  }

  async note(change: { $set?: Partial<StatusFigures>; $inc?: Partial<Record<'pushed' | 'pulled' | 'merged', number>> }): Promise<void> {
    await this.status.updateOne({ _id: 'status' }, change as mongo.UpdateFilter<StatusFigures>, { upsert: true });
  }
}
