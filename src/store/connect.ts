/** Opening the database: connection, the declared indexes (indexes.ts), start-up recovery. */
import mongoose from 'mongoose';
import { bindModels, type Models } from './models.ts';
import { ensureGinIndexes } from './embedded/gin-indexes.ts';
import { storeIndexes, type IndexSpec } from './indexes.ts';
import { RESOURCE_TYPES } from './search/params.ts';
import { recover } from './transaction.ts';
import { VersionedStore } from './versioned.ts';

export interface Database {
  models: Models;
  versions: VersionedStore;
  /** Makes indexes other capabilities declare for their own collections (e.g. the sync state). */
  ensureIndexes(specs: IndexSpec[]): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Makes the declared indexes (indexes.ts): ordinary single-field indexes on
 * MongoDB (multikey for `keys`, sparse for marks most documents lack).
 */
async function ensureMongoIndexes(connection: mongoose.Connection, specs: IndexSpec[]): Promise<void> {
  const sparse = new Set(['pending', 'notify', 'open', 'txn', 'refused']);
  for (const { collection, fields } of specs) {
    // MongoDB indexes `_id` by itself.
    for (const f of fields.filter((x) => x !== '_id')) await connection.db!.collection(collection).createIndex({ [f]: 1 }, sparse.has(f) ? { sparse: true } : {});
  }
}

export interface OpenOptions {
  clock?: () => Date;
  /**
   * The embedded database's PostgreSQL (EmbeddedDatabase.postgresUrl), where
   * the indexes go as GIN indexes FerretDB cannot make itself.
   */
  postgresUrl?: string;
  /** Turns on the driver's command monitoring (the query-shape audit test listens to it). */
  monitorCommands?: boolean;
}

/** FerretDB names itself in buildInfo; MongoDB does not. */
async function isFerretdb(connection: mongoose.Connection): Promise<boolean> {
  const info = await connection.db!.admin().command({ buildInfo: 1 });
  return typeof info['ferretdbVersion'] === 'string';
}

export async function openDatabase(uri: string, dbName: string, opts: OpenOptions = {}): Promise<Database> {
  const connection = await mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 10_000, autoIndex: false, ...(opts.monitorCommands ? { monitorCommands: true } : {}) }).asPromise();
  const models = bindModels(connection, RESOURCE_TYPES);
  const ferret = await isFerretdb(connection);
  if (ferret && !opts.postgresUrl) throw new Error('FerretDB needs its PostgreSQL URL (postgresUrl) for the indexes every query relies on');
  // FerretDB v1 (on PostgreSQL) makes each index a B-tree on the path's whole JSON
  // value — for an array, one key holding every element, which PostgreSQL refuses
  // beyond 2.7 kB — and its queries use none of them: it hands equalities to
  // PostgreSQL as JSON containment, which a B-tree cannot answer. The embedded
  // database gets GIN indexes instead (src/store/embedded/gin-indexes.ts).
  const ensureIndexes = (specs: IndexSpec[]): Promise<unknown> =>
    ferret ? ensureGinIndexes(opts.postgresUrl!, connection.db!, specs) : ensureMongoIndexes(connection, specs);
  await ensureIndexes(storeIndexes(models.types));
  const versions = new VersionedStore(models, opts.clock);
  await recover(versions);
  return {
    models,
    versions,
    ensureIndexes: async (specs) => void (await ensureIndexes(specs)),
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
