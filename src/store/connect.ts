/** Opening the database: connection, indexes for every search parameter, start-up recovery. */
import mongoose from 'mongoose';
import { bindModels, type Models } from './models.ts';
import { hiField, loField, RESOURCE_TYPES, searchParamsOf } from './search/params.ts';
import { recover } from './transaction.ts';
import { VersionedStore } from './versioned.ts';

export interface Database {
  models: Models;
  versions: VersionedStore;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * One index per offered search parameter, plus the paths reads use. (FerretDB v1
 * uses only the `_id` index for queries; a real MongoDB uses them all.)
 */
async function ensureIndexes(models: Models): Promise<void> {
  for (const type of models.types) {
    const r = models.resources(type).collection;
    await r.createIndex({ deleted: 1, lastUpdated: -1 });
    for (const p of searchParamsOf(type)) {
      if (p.type === 'date') {
        await r.createIndex({ [`sp.${loField(p.name)}`]: 1 });
        await r.createIndex({ [`sp.${hiField(p.name)}`]: 1 });
      } else await r.createIndex({ [`sp.${p.name}`]: 1 });
    }
    const v = models.versions(type).collection;
    await v.createIndex({ id: 1, versionId: -1 });
    await v.createIndex({ lastUpdated: -1 });
    await v.createIndex({ txn: 1 }, { sparse: true });
    await v.createIndex({ 'sync.pending': 1 }, { sparse: true });
  }
}

export async function openDatabase(uri: string, dbName: string, clock?: () => Date): Promise<Database> {
  const connection = await mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 10_000, autoIndex: false }).asPromise();
  const models = bindModels(connection, RESOURCE_TYPES);
  await ensureIndexes(models);
  const versions = new VersionedStore(models, clock);
  await recover(versions);
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
