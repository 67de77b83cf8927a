/**
 * The collections of the store and the shape of their documents.
 *
 * FerretDB v1 (the embedded database) makes exactly one kind of write atomic
 * under concurrency: inserting a document whose unique key is taken fails as a
 * whole. Its conditional updates (findAndModify, update with a filter) query
 * first and write afterwards, so two writers can both "match". Every guarantee
 * here therefore rests on unique-key inserts:
 *
 *   versions      the truth: one document per version, `_id` "id/_history/n".
 *                 Inserting version n+1 is the optimistic lock: of any number of
 *                 writers that read version n, exactly one insert succeeds.
 *   resources     a projection of each resource's newest committed version and
 *                 its search values (`sp`), which searches run on. Writers bring
 *                 it up to date after each insert (versioned.ts `project`).
 *   transactions  one decision per transaction Bundle, `_id` the transaction id,
 *                 state committed or aborted: the unique insert that decides it.
 */
import mongoose, { Schema, type Connection, type Model } from 'mongoose';

export type FhirResource = fhir4.FhirResource;

/** Search values of one resource, by search parameter name (see search/params.ts). */
export type SearchValues = Record<string, string[] | Date | undefined>;

/** What every stored version has, in either collection. */
export interface StoredVersion {
  type: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  /** A deletion (tombstone) version: `resource` is null. */
  deleted: boolean;
  resource: FhirResource | null;
  sp: SearchValues;
  /** The indexed equality keys (search/keys.ts): every search value and time bucket, as strings. */
  keys?: string[];
  /**
   * The kind of principal that wrote the version. Directory records grant
   * reach only when a system client (the directory feed) wrote them, never
   * when the person they describe did (auth/policy.ts). Absent: unknown, so
   * not trusted.
   */
  writtenBy?: 'patient' | 'relatedPerson' | 'practitioner' | 'system';
}

/**
 * Where a version stands with the FHIR server samplan syncs with (src/sync).
 * Written in the same insert as the version itself, so a crash can never
 * leave a local change that sync does not know about.
 */
export interface SyncMark {
  /** This version came from the server: its version id and `meta.source` there. */
  remote?: { vid: string; source?: string };
  /** A merge of local changes onto the server's version `rebasedOn`: pending, and pushed with If-Match on it. */
  rebasedOn?: string;
}

/** The types whose changes are synced with the FHIR server (issue 4: plans, their teams and goals). */
export const SYNCED_TYPES: ReadonlySet<string> = new Set(['CarePlan', 'CareTeam', 'Goal']);

/** The types a Subscription may watch (issue 14): every version of them carries the `notify` mark. */
export const NOTIFIED_TYPES: ReadonlySet<string> = new Set(['CarePlan', 'CareTeam', 'Goal']);

export interface VersionDoc extends StoredVersion {
  _id: string; // "id/_history/n"
  /** Set while the version belongs to a transaction that may not have committed yet. */
  txn?: string | null;
  /**
   * A local change of a synced type that has not reached the server yet: the
   * outbox (src/sync/outbox.ts). Top-level, so finding the outbox is a probe.
   */
  pending?: boolean;
  /**
   * Not yet handed to the Subscriptions (src/subscriptions/queue.ts): set by
   * the version's own insert, like `pending`, so a crash between the write and
   * its notifications loses none. Top-level, so finding them is a probe.
   */
  notify?: boolean;
  /** True while `txn` is set: the field recovery finds such versions by (a top-level boolean is a probe). */
  open?: boolean;
  /** Who wrote the version (Practitioner/…, Patient/… or a service), for sync's conflict records. */
  author?: string;
  sync?: SyncMark;
}

export interface ResourceDoc extends StoredVersion {
  _id: string; // the resource id
}

/** A day on which a version of a type was written: what a listing of everything walks (find.ts). */
export interface DayDoc {
  _id: string; // "Type|YYYY-MM-DD"
  type: string;
  day: string;
}

export interface TransactionDoc {
  _id: string;
  state: 'committed' | 'aborted';
  at: Date;
}

const versionFields = {
  _id: String,
  type: { type: String, required: true },
  id: { type: String, required: true },
  versionId: { type: Number, required: true },
  lastUpdated: { type: Date, required: true },
  deleted: { type: Boolean, required: true },
  // Resource bodies are arbitrary FHIR JSON: stored as Mixed, never cast or stripped.
  resource: Schema.Types.Mixed,
  sp: Schema.Types.Mixed,
  keys: [String],
  writtenBy: String,
};

const versionSchema = new Schema<VersionDoc>({ ...versionFields, txn: String, open: Boolean, pending: Boolean, notify: Boolean, author: String, sync: Schema.Types.Mixed }, { versionKey: false, minimize: false });
const resourceSchema = new Schema<ResourceDoc>(versionFields, { versionKey: false, minimize: false });
const transactionSchema = new Schema<TransactionDoc>({ _id: String, state: String, at: Date }, { versionKey: false });
const daySchema = new Schema<DayDoc>({ _id: String, type: String, day: String }, { versionKey: false });

/**
 * Each resource type has its own pair of collections ("CarePlan.versions",
 * "CarePlan.resources"): a search of one type never reads another's documents,
 * which matters on FerretDB v1, whose queries use none of the indexes it makes
 * (it hands PostgreSQL top-level equalities as JSON containment, which its
 * B-tree indexes cannot answer) and so read the whole collection's table.
 */
export interface Models {
  connection: Connection;
  versions(type: string): Model<VersionDoc>;
  resources(type: string): Model<ResourceDoc>;
  transactions: Model<TransactionDoc>;
  days: Model<DayDoc>;
  /** Types that have collections (every served type). */
  types: readonly string[];
}

export function bindModels(connection: Connection, types: readonly string[]): Models {
  const versions = new Map<string, Model<VersionDoc>>();
  const resources = new Map<string, Model<ResourceDoc>>();
  for (const t of types) {
    versions.set(t, connection.model<VersionDoc>(`${t}Version`, versionSchema, `${t}.versions`));
    resources.set(t, connection.model<ResourceDoc>(`${t}Resource`, resourceSchema, `${t}.resources`));
  }
  const pick = <M>(map: Map<string, M>, type: string): M => {
    const m = map.get(type);
    if (!m) throw new Error(`no collections for resource type ${type}`);
    return m;
  };
  return {
    connection,
    types,
    versions: (type) => pick(versions, type),
    resources: (type) => pick(resources, type),
    transactions: connection.model<TransactionDoc>('Transaction', transactionSchema, 'transactions'),
    days: connection.model<DayDoc>('Day', daySchema, 'days'),
  };
}

export function isDuplicateKey(err: unknown): boolean {
  return err instanceof mongoose.mongo.MongoServerError && err.code === 11000;
}
