/**
 * GIN indexes on the embedded database's tables, which FerretDB itself cannot
 * make: its `createIndex` makes B-tree indexes on `(_jsonb->'field')`, but it
 * pushes an equality filter `{field: v}` down to PostgreSQL as containment,
 * `_jsonb->'field' @> '<v as JSON>'` (internal/backends/postgresql/query.go,
 * filterEqual), which a B-tree cannot answer — so every find reads the whole
 * table, even by `_id`. A GIN index with jsonb_path_ops on the same
 * expression answers `@>`.
 *
 * FerretDB keeps each Mongo database as a PostgreSQL schema of the same name,
 * and each collection as a table whose name it derives (lower-cased, a hash
 * appended) and records in the schema's `_ferretdb_database_metadata` table:
 * one row per collection, column `_jsonb`, with `_id` the collection's name
 * and `table` the table's.
 *
 * Only top-level fields: FerretDB v1.24 does not push filters on dotted
 * paths down to SQL at all (its nested pushdown is off), so an index on one
 * would never be used.
 */
import { createHash } from 'node:crypto';
import type { mongo } from 'mongoose';
import pg from 'pg';

export interface GinIndexSpec {
  collection: string;
  /** Top-level fields; each gets its own index, as FerretDB filters on each separately. */
  fields: string[];
}

export interface GinIndex {
  collection: string;
  field: string;
  schema: string;
  table: string;
  /** PostgreSQL index name, deterministic for (schema, table, field), at most 63 bytes. */
  name: string;
}

const METADATA_TABLE = '_ferretdb_database_metadata';
/** NAMEDATALEN - 1: longer identifiers are cut by PostgreSQL, which could make two names one. */
const MAX_IDENTIFIER = 63;
/** FerretDB's error when createCollection meets an existing collection (a concurrent creator). */
const NAMESPACE_EXISTS = 48;

/** Deterministic and unique per (schema, table, field): a readable prefix plus a hash of all three. */
export function ginIndexName(schema: string, table: string, field: string): string {
  const hash = createHash('sha256').update(`${schema}\0${table}\0${field}`).digest('hex').slice(0, 12);
  const readable = (s: string, n: number): string => s.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, n);
  const name = `${readable(table, 28)}_${readable(field, 16)}_gin_${hash}`;
  if (Buffer.byteLength(name) > MAX_IDENTIFIER) throw new Error(`index name ${name} is too long`);
  return name;
}

async function ensureCollections(db: mongo.Db, names: string[]): Promise<void> {
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const name of names) {
    if (existing.has(name)) continue;
    try {
      await db.createCollection(name);
    } catch (err) {
      if ((err as { code?: unknown }).code !== NAMESPACE_EXISTS) throw err;
    }
  }
}

async function tablesOf(client: pg.Client, schema: string, collections: string[]): Promise<Map<string, string>> {
  const { rows } = await client.query<{ collection: string; table: string }>(
    `SELECT _jsonb->>'_id' AS collection, _jsonb->>'table' AS table FROM ${client.escapeIdentifier(schema)}.${METADATA_TABLE} WHERE _jsonb->>'_id' = ANY($1)`,
    [collections],
  );
  return new Map(rows.map((r) => [r.collection, r.table]));
}

/**
 * Creates (if missing) a GIN index for each wanted field, creating missing
 * collections first through `db` (the Mongo database on the embedded
 * FerretDB whose data `postgresUrl` holds). Returns what it ensured.
 */
export async function ensureGinIndexes(postgresUrl: string, db: mongo.Db, wanted: GinIndexSpec[]): Promise<GinIndex[]> {
  for (const w of wanted) {
    const dotted = w.fields.find((f) => f.includes('.') || f.startsWith('$'));
    if (dotted) throw new Error(`GIN index on ${w.collection}.${dotted}: only top-level fields are pushed down to SQL by FerretDB`);
  }
  const collections = [...new Set(wanted.map((w) => w.collection))];
  await ensureCollections(db, collections);
  const schema = db.databaseName;
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const tables = await tablesOf(client, schema, collections);
    const out: GinIndex[] = [];
    for (const w of wanted) {
      const table = tables.get(w.collection);
      if (!table) throw new Error(`FerretDB has no table for collection ${schema}.${w.collection}`);
      for (const field of new Set(w.fields)) {
        const name = ginIndexName(schema, table, field);
        await client.query(
          `CREATE INDEX IF NOT EXISTS ${client.escapeIdentifier(name)} ON ${client.escapeIdentifier(schema)}.${client.escapeIdentifier(table)} USING GIN ((_jsonb->${client.escapeLiteral(field)}) jsonb_path_ops)`,
        );
        out.push({ collection: w.collection, field, schema, table, name });
      }
    }
    return out;
  } finally {
    await client.end();
  }
}
