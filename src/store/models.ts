/**
 * The three collections of the store, and the shape of their documents.
 *
 *   resources     one document per resource: its current version, the values
 *                 it is searched by (`sp`), and — while a transaction Bundle
 *                 holds it — the transaction's pending version (`txn`).
 *   history       every superseded version, `_id` "Type/id/_history/n".
 *   transactions  the commit record of a transaction Bundle; its insert is the
 *                 single atomic write that makes all entries visible at once.
 *
 * FerretDB v1 has no multi-document transactions, so every guarantee here rests
 * on single-document atomic writes (see versioned.ts and transaction.ts).
 */
import mongoose, { Schema, type Connection, type Model } from 'mongoose';

export type FhirResource = fhir4.FhirResource;

/** Search values of one resource, by search parameter name (see search/params.ts). */
export type SearchValues = Record<string, string[] | Date | undefined>;

export interface PendingVersion {
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  resource: FhirResource | null;
  sp: SearchValues;
}

export interface TxnMarker {
  id: string;
  /** When the transaction took the lock; stale markers are rolled back. */
  at: Date;
  /** The version this document had when the transaction locked it (0: did not exist). */
  prevVersion: number;
  next: PendingVersion;
}

export interface ResourceDoc {
  _id: string; // "Type/id"
  type: string;
  id: string;
  /** 0 only for a placeholder created by a transaction that has not committed yet. */
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  resource: FhirResource | null;
  sp: SearchValues;
  txn?: TxnMarker | null;
}

export interface HistoryDoc {
  _id: string; // "Type/id/_history/n"
  type: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  resource: FhirResource | null;
  /** Kept so that access narrowing (e.g. a patient's compartment) applies to history too. */
  sp: SearchValues;
}

export interface TransactionDoc {
  _id: string;
  state: 'committed';
  at: Date;
  keys: string[];
}

// Resource bodies are arbitrary FHIR JSON: stored as Mixed, never cast or stripped.
const resourceSchema = new Schema<ResourceDoc>(
  {
    _id: String,
    type: { type: String, required: true },
    id: { type: String, required: true },
    versionId: { type: Number, required: true },
    lastUpdated: { type: Date, required: true },
    deleted: { type: Boolean, required: true },
    resource: Schema.Types.Mixed,
    sp: Schema.Types.Mixed,
    txn: Schema.Types.Mixed,
  },
  { versionKey: false, minimize: false, strict: 'throw' },
);

const historySchema = new Schema<HistoryDoc>(
  {
    _id: String,
    type: { type: String, required: true },
    id: { type: String, required: true },
    versionId: { type: Number, required: true },
    lastUpdated: { type: Date, required: true },
    deleted: { type: Boolean, required: true },
    resource: Schema.Types.Mixed,
    sp: Schema.Types.Mixed,
  },
  { versionKey: false, minimize: false },
);

const transactionSchema = new Schema<TransactionDoc>(
  { _id: String, state: String, at: Date, keys: [String] },
  { versionKey: false },
);

export interface Models {
  connection: Connection;
  resources: Model<ResourceDoc>;
  history: Model<HistoryDoc>;
  transactions: Model<TransactionDoc>;
}

export function bindModels(connection: Connection): Models {
  return {
    connection,
    resources: connection.model<ResourceDoc>('Resource', resourceSchema, 'resources'),
    history: connection.model<HistoryDoc>('History', historySchema, 'history'),
    transactions: connection.model<TransactionDoc>('Transaction', transactionSchema, 'transactions'),
  };
}

export function isDuplicateKey(err: unknown): boolean {
  return err instanceof mongoose.mongo.MongoServerError && err.code === 11000;
}
