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
 * One index per offered search parameter, plus the paths reads use, for a real
 * MongoDB, which uses them all. Not on FerretDB (see openDatabase).
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

/** FerretDB names itself in buildInfo; MongoDB does not. */
async function isFerretdb(connection: mongoose.Connection): Promise<boolean> {
  const info = await connection.db!.admin().command({ buildInfo: 1 });
  return typeof info['ferretdbVersion'] === 'string';
}

export async function openDatabase(uri: string, dbName: string, clock?: () => Date): Promise<Database> {
  const connection = await mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 10_000, autoIndex: false }).asPromise();
  const models = bindModels(connection, RESOURCE_TYPES);
  // FerretDB v1 (on PostgreSQL) makes each index a B-tree on the path's whole JSON
  // value — for an array, one key holding every element, which PostgreSQL refuses
  // beyond 2.7 kB (the entity list of a large transaction's AuditEvent) — and its
  // queries use none of them: it hands equalities to PostgreSQL as JSON
  // containment, which a B-tree cannot answer. The embedded database gets GIN
  // indexes instead (src/store/embedded/gin-indexes.ts).
  if (!(await isFerretdb(connection))) await ensureIndexes(models);
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
