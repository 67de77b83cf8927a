/**
 * ensureGinIndexes makes indexes that PostgreSQL uses for the SQL FerretDB
 * sends for a top-level equality filter (`_jsonb->'field' @> '"value"'`),
 * for `_id` as for any other field.
 */
import mongoose from 'mongoose';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureGinIndexes, type GinIndex } from '../../../src/store/embedded/gin-indexes.ts';
import { launchEmbeddedDatabase, type EmbeddedDatabase } from '../../../src/store/embedded/launch.ts';
import { tempDataDir, waitFor } from './helpers.ts';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const data = tempDataDir();
let db: EmbeddedDatabase;
let mongo: mongoose.mongo.MongoClient;
let client: pg.Client;
let indexes: GinIndex[];

beforeAll(async () => {
  db = await launchEmbeddedDatabase({ dataDir: data.dir, fsync: false });
  mongo = await mongoose.mongo.MongoClient.connect(db.uri);
  // Enough rows that reading them all costs more than the index (10 per status).
  await mongo.db('gin').collection<{ _id: string; status: string; n: number }>('plans').insertMany(Array.from({ length: 2000 }, (_, i) => ({ _id: `d${i}`, status: `s${i % 200}`, n: i })));
  indexes = await ensureGinIndexes(db.postgresUrl, mongo.db('gin'), [{ collection: 'plans', fields: ['status', '_id'] }, { collection: 'empty', fields: ['status'] }]);
  client = new pg.Client({ connectionString: db.postgresUrl });
  await client.connect();
  await client.query(`ANALYZE ${table('plans')}`);
});
afterAll(async () => {
  await client?.end();
  await mongo?.close();
  await db?.stop();
  data.remove();
});

function index(collection: string, field: string): GinIndex {
  const found = indexes.find((i) => i.collection === collection && i.field === field);
  if (!found) throw new Error(`no index for ${collection}.${field}`);
  return found;
}

function table(collection: string): string {
  const i = index(collection, collection === 'plans' ? '_id' : 'status');
  return `${client.escapeIdentifier(i.schema)}.${client.escapeIdentifier(i.table)}`;
}

function indexScans(plan: PlanNode): string[] {
  const here = plan['Node Type'] === 'Bitmap Index Scan' && plan['Index Name'] ? [plan['Index Name']] : [];
  return [...here, ...(plan.Plans ?? []).flatMap(indexScans)];
}

async function explain(sql: string): Promise<string[]> {
  const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${sql}`);
  return indexScans(rows[0]!['QUERY PLAN'][0].Plan);
}

async function idxScans(name: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT idx_scan AS n FROM pg_stat_user_indexes WHERE indexrelname = $1`, [name]);
  return Number(rows[0]?.n ?? 0);
}

it('creates collections that did not exist, and is idempotent', async () => {
  expect((await mongo.db('gin').listCollections({ name: 'empty' }).toArray()).length).toBe(1);
  const again = await ensureGinIndexes(db.postgresUrl, mongo.db('gin'), [{ collection: 'plans', fields: ['status', '_id'] }]);
  expect(again.map((i) => i.name)).toEqual([index('plans', 'status').name, index('plans', '_id').name]);
  for (const i of indexes) expect(Buffer.byteLength(i.name)).toBeLessThanOrEqual(63);
});

it('is used for the containment FerretDB pushes down, literal and with parameters as FerretDB sends it', async () => {
  expect(await explain(`SELECT _jsonb FROM ${table('plans')} WHERE _jsonb->'status' @> '"s7"'`)).toEqual([index('plans', 'status').name]);
  // FerretDB's own shape (query.go, filterEqual): the key and the value are both parameters.
  await client.query(`PREPARE ferretdb_shape AS SELECT _jsonb FROM ${table('plans')} WHERE _jsonb->$1 @> $2`);
  expect(await explain(`EXECUTE ferretdb_shape('status', '"s7"')`)).toEqual([index('plans', 'status').name]);
  expect(await explain(`EXECUTE ferretdb_shape('_id', '"d7"')`)).toEqual([index('plans', '_id').name]);
});

it('is used by a find through FerretDB', { timeout: 60_000 }, async () => {
  const plans = mongo.db('gin').collection<{ _id: string; status: string }>('plans');
  for (const [field, query] of [['status', { status: 's7' }], ['_id', { _id: 'd7' }]] as const) {
    const name = index('plans', field).name;
    const before = await idxScans(name);
    const found = await plans.find(query).toArray();
    expect(found.length).toBe(field === 'status' ? 10 : 1);
    // A backend reports its statistics at the end of a transaction at most once a
    // second (else only after 10 s idle): keep FerretDB's sessions busy on another table while polling.
    const other = mongo.db('gin').collection('empty');
    await waitFor(`a scan of ${name}`, async () => (await other.findOne({}), (await idxScans(name)) > before), 40_000);
  }
});
