/**
 * The fate of a transaction is decided by ONE unique-key insert into
 * `transactions`: the committer inserts {state: committed}, anyone who finds
 * the transaction stale inserts {state: aborted}. Whichever insert comes first
 * wins; the other fails on the duplicate key and reads the decision.
 */
import { isDuplicateKey, type TransactionDoc } from './models.ts';
import type { VersionedStore } from './versioned.ts';

/** A transaction undecided for this long is presumed dead (its process crashed) and aborted. */
export const TXN_TIMEOUT_MS = 30_000;

export type Decision = 'committed' | 'aborted' | 'pending';

/** Tries to record `state` for the transaction; returns the decision that stands. */
export async function record(store: VersionedStore, txn: string, state: TransactionDoc['state']): Promise<TransactionDoc['state']> {
  try {
    await store.models.transactions.collection.insertOne({ _id: txn, state, at: store.now() } as never);
    if (state === 'aborted') await deleteVersionsOf(store, txn);
    return state;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const stands = await store.models.transactions.findById(txn).lean<TransactionDoc>();
    return stands?.state ?? state;
  }
}

/** The state of a transaction whose version was written at `startedAt`; aborts it when stale. */
export async function decide(store: VersionedStore, txn: string, startedAt: Date): Promise<Decision> {
  const d = await store.models.transactions.findById(txn).lean<TransactionDoc>();
  if (d?.state === 'aborted') {
    await deleteVersionsOf(store, txn); // leftovers of an abort that was interrupted
    return 'aborted';
  }
  if (d) return d.state;
  if (store.now().getTime() - new Date(startedAt).getTime() <= TXN_TIMEOUT_MS) return 'pending';
  return record(store, txn, 'aborted');
}

/** Removes every version an aborted transaction inserted (a rare path: it reads each type's versions). */
async function deleteVersionsOf(store: VersionedStore, txn: string): Promise<void> {
  for (const t of store.models.types) await store.models.versions(t).deleteMany({ txn });
}
