/**
 * All-or-nothing writes of several resources (FHIR transaction Bundles,
 * https://hl7.org/fhir/R4/http.html#transaction) without multi-document
 * transactions, which FerretDB v1 does not have.
 *
 *  1. Each entry's new version is inserted carrying the transaction id. The
 *     unique version key locks it against other writers; readers treat a
 *     version of an undecided transaction as not there (VersionedStore.committed).
 *  2. The decision record is inserted (decisions.ts): the single atomic write
 *     after which all entries count as written. Before it, none does.
 *  3. The transaction mark is removed from the versions and the search
 *     projection updated. A crash before this step is finished by start-up
 *     recovery (or lazily by readers); the decision already stands.
 *
 * A failure in step 1 aborts: the decision "aborted" is recorded and the
 * inserted versions deleted, so nothing of the transaction ever was visible.
 */
import { randomUUID } from 'node:crypto';
import { FhirError } from '../errors.ts';
import { findMatching } from './find.ts';
import { isDuplicateKey, type ResourceDoc, type VersionDoc } from './models.ts';
import { record } from './decisions.ts';
import { newVersion, type VersionedStore, type WriteRequest } from './versioned.ts';

export async function writeAll(store: VersionedStore, writes: WriteRequest[]): Promise<VersionDoc[]> {
  for (const w of writes) await store.assertBase(w);
  const txn = randomUUID();
  const at = store.now();
  const docs = writes.map((w) => newVersion(w, at, txn));
  for (const d of docs) await store.noteDay(d.type, at);
  try {
    for (const [i, doc] of docs.entries()) {
      try {
        await store.models.versions(doc.type).collection.insertOne(doc as never);
      } catch (err) {
        const w = writes[i]!;
        if (isDuplicateKey(err)) await store.explainConflict(w.type, w.id, w.expect);
        throw err;
      }
    }
  } catch (err) {
    await record(store, txn, 'aborted');
    throw err;
  }
  if ((await record(store, txn, 'committed')) !== 'committed') {
    // Too slow: someone found the transaction stale and aborted it first.
    throw new FhirError('conflict', { code: 'transient', diagnostics: 'The transaction took too long and was abandoned; nothing was stored. Try again.' });
  }
  await finish(store, docs);
  const committed = docs.map(({ txn: _t, open: _o, ...doc }) => doc);
  store.committedNow(committed);
  return committed;
}

/** Step 3: unmark the versions and update the projection (idempotent). */
async function finish(store: VersionedStore, docs: VersionDoc[]): Promise<void> {
  for (const d of docs) {
    // By `_id` alone: a probe (a version's key is unique anyway).
    await store.models.versions(d.type).updateOne({ _id: d._id }, { $unset: { txn: '', open: '' } });
    const { txn: _t, open: _o, ...committed } = d;
    await store.project(d.type, d.id, committed);
  }
}

/**
 * Start-up recovery: finishes committed transactions whose versions are still
 * marked, aborts stale undecided ones, and re-projects resources written since
 * the projection last changed (a crash between a version insert and its
 * projection would otherwise leave search behind).
 */
export async function recover(store: VersionedStore): Promise<{ transactions: number; reprojected: number }> {
  const byTxn = new Map<string, VersionDoc[]>();
  let reprojected = 0;
  for (const type of store.models.types) {
    const versions = store.models.versions(type);
    const marked = await versions.find({ open: true }).lean<VersionDoc[]>();
    for (const v of marked) if (v.txn) (byTxn.get(v.txn) ?? byTxn.set(v.txn, []).get(v.txn))!.push(v);
    // The projection can only be behind for versions of the last moments before the stop: those of
    // the newest day with data, from a minute before its newest projection on.
    const [lastDay] = (await store.days(type)).sort().reverse();
    if (!lastDay) continue;
    const day = await findMatching<ResourceDoc>(store, type, 'resources', { lastUpdated: { $gte: new Date(`${lastDay}T00:00:00Z`) } });
    const newest = Math.max(0, ...day.docs.map((d) => new Date(d.lastUpdated).getTime()));
    const since = new Date((newest || new Date(`${lastDay}T00:00:00Z`).getTime()) - 60_000);
    const touched = await findMatching<VersionDoc>(store, type, 'versions', { lastUpdated: { $gte: since } });
    for (const id of new Set(touched.docs.map((t) => t.id))) {
      await store.project(type, id);
      reprojected++;
    }
  }
  for (const docs of byTxn.values()) {
    if (await store.committed(docs[0]!)) await finish(store, docs);
  }
  return { transactions: byTxn.size, reprojected };
}
