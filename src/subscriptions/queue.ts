/**
 * The notification queue, with the outbox discipline of sync
 * (src/sync/outbox.ts): nothing is kept in memory that a crash could lose.
 *
 *   1. Every version of a watched type carries the top-level `notify` mark,
 *      set by the version's own insert (src/store/versioned.ts newVersion):
 *      a change is recoverable from itself.
 *   2. fanOut judges each marked version against the active subscriptions'
 *      criteria and inserts one delivery per (subscription, version), under
 *      a key made of both: inserting it twice fails, so a fan-out redone
 *      after a crash queues nothing twice. Only then is the mark cleared.
 *   3. A delivery stays (with `queued` unset) once sent or withheld, so a
 *      redone fan-out cannot queue a sent change again either.
 *
 * Every query is `_id` or one top-level field equal to a scalar
 * (SUBSCRIPTION_INDEXES), as on every request path (src/store/indexes.ts).
 */
import type { Connection, mongo } from 'mongoose';
import { NOTIFIED_TYPES, type IndexSpec, type VersionDoc, type VersionedStore } from '../store/index.ts';
import { isDuplicateKey } from '../store/models.ts';
import { versionKey } from '../store/versioned.ts';
import { meets, type Criteria } from './criteria.ts';

export const SUBSCRIPTION_INDEXES: IndexSpec[] = [
  { collection: 'subscription.deliveries', fields: ['_id', 'queued'] },
  { collection: 'subscription.state', fields: ['_id'] },
  { collection: 'subscription.lease', fields: ['_id'] },
];

export interface DeliveryDoc {
  _id: string; // "<subscription>|Type/id/_history/n"
  subscription: string;
  /** The subscription's id while the delivery waits; unset once sent or withheld. */
  queued?: string;
  type: string;
  id: string;
  versionId: number;
  /** When the change was made: deliveries go in this order. */
  at: Date;
  outcome?: 'delivered' | 'withheld';
  doneAt?: Date;
}

/** Per subscription: since when it hears changes, and how its endpoint has been doing. */
export interface StateDoc {
  _id: string; // the subscription id
  /** Changes made from then on are notified (set by the handshake). */
  activatedAt?: Date;
  /** Failed deliveries in a row. */
  failures: number;
  /** No attempt before this (back-off). */
  retryAt?: Date;
  lastError?: string;
}

/** What fan-out needs of an active subscription. */
export interface Listener {
  id: string;
  criteria: Criteria;
  activatedAt: Date;
  /** Subscription.end: changes after it are not notified. */
  end?: Date;
  /** May the owner read this version now? Changes they may not are not queued (Store.readable). */
  mayRead(doc: VersionDoc): Promise<boolean>;
}

/** Marked versions judged per type and round: a backlog (a long stop, a bulk load) is worked off in slices. */
const FAN_OUT_BATCH = 1000;

export const deliveryId = (subscription: string, type: string, id: string, versionId: number): string => `${subscription}|${type}/${versionKey(id, versionId)}`;

export class Queue {
  readonly deliveries: mongo.Collection<DeliveryDoc>;
  readonly states: mongo.Collection<StateDoc>;

  constructor(connection: Connection) {
    this.deliveries = connection.collection<DeliveryDoc>('subscription.deliveries');
    this.states = connection.collection<StateDoc>('subscription.state');
  }

  async state(id: string): Promise<StateDoc> {
    return (await this.states.findOne({ _id: id })) ?? { _id: id, failures: 0 };
  }

  async setState(id: string, set: Partial<Omit<StateDoc, '_id'>>, unset: (keyof StateDoc)[] = []): Promise<void> {
    await this.states.updateOne({ _id: id }, { $set: set, ...(unset.length ? { $unset: Object.fromEntries(unset.map((k) => [k, ''])) } : {}) }, { upsert: true });
  }

  /** The waiting deliveries of one subscription, oldest change first. */
  async waiting(subscription: string): Promise<DeliveryDoc[]> {
    const docs = await this.deliveries.find({ queued: subscription }).toArray();
    return docs.sort((a, b) => a.at.getTime() - b.at.getTime() || a._id.localeCompare(b._id));
  }

  async done(d: DeliveryDoc, outcome: DeliveryDoc['outcome'], at: Date): Promise<void> {
    await this.deliveries.updateOne({ _id: d._id }, { $unset: { queued: '' }, $set: { outcome, doneAt: at } });
  }

  /** Step 2 above, for every marked version; returns how many deliveries it queued. */
  async fanOut(store: VersionedStore, listeners: readonly Listener[]): Promise<number> {
    let queued = 0;
    for (const type of NOTIFIED_TYPES) {
      const marked = await store.models.versions(type).find({ notify: true }).limit(FAN_OUT_BATCH).lean<VersionDoc[]>();
      marked.sort((a, b) => a.lastUpdated.getTime() - b.lastUpdated.getTime() || a.versionId - b.versionId);
      for (const v of marked) {
        // A version of an undecided transaction waits for its decision; an aborted one is removed by it.
        if (!(await store.committed(v))) continue;
        // A deletion holds no data: it is judged by the version it ends.
        const judged = v.deleted ? await store.version(type, v.id, v.versionId - 1) : v;
        for (const l of listeners) {
          if (!judged || v.lastUpdated < l.activatedAt || (l.end && v.lastUpdated > l.end) || !meets(l.criteria, judged) || !(await l.mayRead(judged))) continue;
          try {
            await this.deliveries.insertOne({ _id: deliveryId(l.id, type, v.id, v.versionId), subscription: l.id, queued: l.id, type, id: v.id, versionId: v.versionId, at: v.lastUpdated });
            queued++;
          } catch (err) {
            if (!isDuplicateKey(err)) throw err; // queued before a crash: once is enough
          }
        }
        await store.models.versions(type).updateOne({ _id: v._id }, { $unset: { notify: '' } });
      }
    }
    return queued;
  }
}
