/**
 * Every index samplan's queries rely on, declared once: openDatabase makes
 * them (on MongoDB as ordinary indexes, on the embedded database as GIN
 * indexes in its PostgreSQL), and the query-shape audit test fails on any
 * query a declared index does not serve.
 *
 * Each entry is one single-field index. Every query on a request path is a
 * probe (search/probes.ts): a top-level field equal to a scalar, possibly two
 * such fields together, each of them here. `_id` is listed too: on MongoDB
 * it is there anyway, but FerretDB's own `_id` index is a B-tree its finds
 * cannot use, so the embedded database needs a GIN index on it like on any
 * other field.
 */
import { RESOURCE_TYPES } from './search/params.ts';

export interface IndexSpec {
  collection: string;
  fields: string[];
}

/** The store's own collections (the sync state declares its own: sync/state.ts). */
export function storeIndexes(types: readonly string[] = RESOURCE_TYPES): IndexSpec[] {
  return [
    ...types.flatMap((t) => [
      { collection: `${t}.resources`, fields: ['_id', 'keys'] },
      // id: a resource's versions (history with _since); pending: the sync outbox; open: versions of
      // undecided transactions (recovery); txn: the versions of one transaction (an abort);
      // notify: changes not yet judged by the Subscriptions (src/subscriptions/queue.ts).
      { collection: `${t}.versions`, fields: ['_id', 'keys', 'id', 'pending', 'notify', 'open', 'txn'] },
    ]),
    { collection: 'transactions', fields: ['_id'] },
    { collection: 'days', fields: ['_id', 'type'] },
  ];
}
