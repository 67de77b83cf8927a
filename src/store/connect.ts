/** Opening the database: connection, indexes for every search parameter, start-up recovery. */
import mongoose from 'mongoose';
import { bindModels, type Models } from './models.ts';
import { hiField, loField, RESOURCE_TYPES, searchParamsOf } from './search/params.ts';
import { recoverTransactions } from './transaction.ts';
import { VersionedStore } from './versioned.ts';

export interface Database {
  models: Models;
  versions: VersionedStore;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** One index per offered search parameter (multikey where values are lists), plus the paths reads use. */
async function ensureIndexes(models: Models): Promise<void> {
  const fields = new Set<string>();
  for (const t of RESOURCE_TYPES) {
    for (const p of searchParamsOf(t)) {
      if (p.type === 'date') {
        fields.add(`sp.${loField(p.name)}`);
        fields.add(`sp.${hiField(p.name)}`);
      } else fields.add(`sp.${p.name}`);
    }
  }
  const r = models.resources.collection;
  await r.createIndex({ type: 1, deleted: 1, lastUpdated: -1 });
  await r.createIndex({ type: 1, id: 1 });
  await r.createIndex({ 'txn.id': 1 }, { sparse: true });
  for (const f of fields) await r.createIndex({ [f]: 1 });
  const h = models.history.collection;
  await h.createIndex({ type: 1, id: 1, versionId: -1 });
  await h.createIndex({ type: 1, lastUpdated: -1 });
}

export async function openDatabase(uri: string, dbName: string, clock?: () => Date): Promise<Database> {
  const connection = await mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 10_000, autoIndex: false }).asPromise();
  const models = bindModels(connection);
  await ensureIndexes(models);
  const versions = new VersionedStore(models, clock);
  await recoverTransactions(versions);
  return {
    models,
    versions,
    async ping() {
      try {
        await connection.db?.admin().ping();
        return true;
      } catch {
        return false;
      }
    },
    close: () => connection.close(),
  };
}
