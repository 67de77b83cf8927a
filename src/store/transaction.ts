/**
 * All-or-nothing writes of several resources (FHIR transaction Bundles,
 * https://hl7.org/fhir/R4/http.html#transaction) without multi-document
 * transactions, which FerretDB v1 does not have.
 *
 *  1. prepare: each document is locked by a conditional write that attaches
 *     the pending version as a `txn` marker (new resources get an invisible
 *     placeholder, versionId 0). Readers keep seeing the old state.
 *  2. commit: inserting the `transactions` record is the one atomic write that
 *     decides the outcome. Before it, nothing of the transaction is visible;
 *     after it, every marker counts as applied.
 *  3. roll forward: each marker is applied to its document (old version kept in
 *     history first). Any reader or writer meeting a marker settles it first
 *     (settleMarker), and start-up recovery settles the rest, so a crash at any
 *     point leaves either all or none of the entries visible.
 *
 * A failure while preparing releases the locks taken so far.
 */
import { randomUUID } from 'node:crypto';
import { isDuplicateKey, type PendingVersion, type ResourceDoc, type TxnMarker } from './models.ts';
import { searchValuesOf } from './search/index-values.ts';
import { explainConflict, key, preserve, stamp, type VersionedStore, type WriteRequest } from './versioned.ts';

/** A marker older than this whose transaction never committed is abandoned and released. */
export const TXN_TIMEOUT_MS = 30_000;

export async function settleMarker(store: VersionedStore, doc: ResourceDoc): Promise<ResourceDoc | null> {
  const txn = doc.txn;
  if (!txn) return doc;
  const committed = await store.models.transactions.exists({ _id: txn.id });
  if (committed) {
    await rollForward(store, doc, txn);
  } else if (store.now().getTime() - new Date(txn.at).getTime() > TXN_TIMEOUT_MS) {
    await release(store, doc._id, txn.id);
  } else {
    return doc; // in flight: the old state is what is visible
  }
  return store.models.resources.findById(doc._id).lean<ResourceDoc>();
}

async function rollForward(store: VersionedStore, doc: ResourceDoc, txn: TxnMarker): Promise<void> {
  await preserve(store.models, doc);
  const { next } = txn;
  await store.models.resources.updateOne(
    { _id: doc._id, 'txn.id': txn.id },
    { $set: { versionId: next.versionId, lastUpdated: next.lastUpdated, deleted: next.deleted, resource: next.resource, sp: next.sp }, $unset: { txn: '' } },
  );
}

async function release(store: VersionedStore, docId: string, txnId: string): Promise<void> {
  await store.models.resources.deleteOne({ _id: docId, 'txn.id': txnId, versionId: 0 });
  await store.models.resources.updateOne({ _id: docId, 'txn.id': txnId }, { $unset: { txn: '' } });
}

/** Writes all or none of `writes`; returns the new documents in the same order. */
export async function writeAll(store: VersionedStore, writes: WriteRequest[]): Promise<ResourceDoc[]> {
  const { models } = store;
  const txnId = randomUUID();
  const at = store.now();
  const locked: string[] = [];
  const results: ResourceDoc[] = [];
  try {
    for (const w of writes) {
      const docId = key(w.type, w.id);
      const resource = w.resource ? stamp(w.resource, w.id, w.expect + 1, at) : null;
      const next: PendingVersion = { versionId: w.expect + 1, lastUpdated: at, deleted: resource === null, resource, sp: resource ? searchValuesOf(resource) : {} };
      const marker: TxnMarker = { id: txnId, at, prevVersion: w.expect, next };
      await lock(store, docId, w, marker);
      locked.push(docId);
      results.push({ _id: docId, type: w.type, id: w.id, versionId: next.versionId, lastUpdated: at, deleted: next.deleted, resource, sp: next.sp, ...w.extra });
    }
  } catch (err) {
    await Promise.allSettled(locked.map((docId) => release(store, docId, txnId)));
    throw err;
  }

  await models.transactions.collection.insertOne({ _id: txnId, state: 'committed', at, keys: locked } as never);

  // From here the transaction has happened; applying markers now is an optimisation
  // (readers would settle them anyway), so one failure does not undo the others.
  const applied = await Promise.allSettled(
    locked.map(async (docId) => {
      const doc = await models.resources.findById(docId).lean<ResourceDoc>();
      if (doc?.txn?.id === txnId) await rollForward(store, doc, doc.txn);
    }),
  );
  if (applied.every((r) => r.status === 'fulfilled')) await models.transactions.deleteOne({ _id: txnId });
  return results;
}

async function lock(store: VersionedStore, docId: string, w: WriteRequest, marker: TxnMarker): Promise<void> {
  const { resources } = store.models;
  if (w.expect === 0) {
    const placeholder: ResourceDoc = { _id: docId, type: w.type, id: w.id, versionId: 0, lastUpdated: marker.at, deleted: true, resource: null, sp: {}, txn: marker, ...w.extra };
    try {
      await resources.collection.insertOne(placeholder as never);
      return;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  } else {
    // Settle any marker a crashed transaction left, so it cannot block this one for good.
    await store.current(w.type, w.id);
    const locked = await resources.findOneAndUpdate({ _id: docId, versionId: w.expect, txn: null }, { $set: { txn: marker, ...w.extra } });
    if (locked) return;
  }
  await explainConflict(store, w.type, w.id, w.expect);
}

/** Start-up recovery: settles every marker left by a process that stopped mid-transaction. */
export async function recoverTransactions(store: VersionedStore): Promise<number> {
  const stuck = await store.models.resources.find({ txn: { $ne: null } }).lean<ResourceDoc[]>();
  for (const doc of stuck) await settleMarker(store, doc);
  // Commit records whose markers are all applied are no longer needed.
  const records = await store.models.transactions.find({}).lean();
  for (const r of records) {
    const open = await store.models.resources.exists({ 'txn.id': r._id });
    if (!open) await store.models.transactions.deleteOne({ _id: r._id });
  }
  return stuck.length;
}
