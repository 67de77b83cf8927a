/**
 * The outbox: local versions of synced types not yet on the server, found by
 * the top-level `pending` mark their own insert set (src/store/models.ts): a
 * probe the index answers.
 */
import { SYNCED_TYPES, type VersionDoc } from '../store/models.ts';
import { versionKey, type VersionedStore } from '../store/versioned.ts';

export interface PendingVersion {
  type: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  /** Set on a merge result: the server version it was merged onto (its If-Match). */
  rebasedOn?: string;
}

/**
 * Every pending version, oldest change first (so each resource's versions go
 * in order, and a plan's new team or goal usually goes before the plan).
 * Versions of transactions still undecided wait; aborted ones are gone.
 */
export async function pendingVersions(store: VersionedStore): Promise<PendingVersion[]> {
  const out: PendingVersion[] = [];
  for (const type of SYNCED_TYPES) {
    const docs = await store.models.versions(type)
      .find({ pending: true }, { _id: 1, type: 1, id: 1, versionId: 1, lastUpdated: 1, txn: 1, sync: 1 })
      .lean<Pick<VersionDoc, '_id' | 'type' | 'id' | 'versionId' | 'lastUpdated' | 'txn' | 'sync'>[]>();
    for (const d of docs) {
      if (d.txn && !(await store.committed(d as VersionDoc))) continue;
      out.push({ type, id: d.id, versionId: d.versionId, lastUpdated: d.lastUpdated, ...(d.sync?.rebasedOn ? { rebasedOn: d.sync.rebasedOn } : {}) });
    }
  }
  return out.sort((a, b) => a.lastUpdated.getTime() - b.lastUpdated.getTime() || a.versionId - b.versionId);
}

/** Count of pending versions (/sync/status "queue depth"). */
export async function queueDepth(store: VersionedStore): Promise<number> {
  let n = 0;
  for (const type of SYNCED_TYPES) n += await store.models.versions(type).countDocuments({ pending: true });
  return n;
}

/** Takes one resource's pending versions below `n` off the outbox (they were pushed, or a later version carries them). */
export async function clearPendingBelow(store: VersionedStore, type: string, id: string, n: number): Promise<void> {
  const docs = await store.models.versions(type).find({ id, pending: true }, { versionId: 1 }).lean<{ versionId: number }[]>();
  await clearPending(store, type, id, docs.map((d) => d.versionId).filter((v) => v < n));
}

/** Takes versions off the outbox: pushed, or folded into a later merge result. */
export async function clearPending(store: VersionedStore, type: string, id: string, versionIds: readonly number[]): Promise<void> {
  for (const n of versionIds) {
    // By `_id` alone: a probe.
    await store.models.versions(type).updateOne({ _id: versionKey(id, n) }, { $unset: { pending: '' } });
  }
}
