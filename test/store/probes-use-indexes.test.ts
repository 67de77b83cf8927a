/**
 * Issue 10: the store's own probes are answered by the GIN indexes on the
 * embedded database — a search value in `keys`, a read by `_id`, the outbox
 * mark — on the store's real tables and document shape, by PostgreSQL's
 * planner for the SQL FerretDB sends (`_jsonb->$1 @> $2`).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureGinIndexes, type GinIndex } from '../../src/store/embedded/gin-indexes.ts';
import { storeIndexes, type Database } from '../../src/store/index.ts';
import { newVersion, toStored } from '../../src/store/versioned.ts';
import { dropTestDatabase, openTestDatabase } from '../support/db.ts';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const scans = (p: PlanNode): string[] => [...(p['Node Type'] === 'Bitmap Index Scan' && p['Index Name'] ? [p['Index Name']] : []), ...(p.Plans ?? []).flatMap(scans)];

const postgresUrl = inject('postgresUrl');
let db: Database;
let client: pg.Client;
let indexes: GinIndex[];

beforeAll(async () => {
  db = await openTestDatabase();
  if (!postgresUrl) return;
  // 3,000 plans of 1,000 patients, written as the store writes them (in bulk: what they are matters, not how).
  const at = new Date();
  const docs = Array.from({ length: 3000 }, (_, i) => {
    const d = newVersion({ type: 'CarePlan', id: `pl${i}`, expect: 0, resource: { resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: { reference: `Patient/p${i % 1000}` } } }, at);
    // As in a running instance: nearly everything pushed long ago, a few changes still in the outbox.
    if (i % 500 !== 0) delete d.pending;
    return d;
  });
  await db.models.versions('CarePlan').collection.insertMany(docs as never[]);
  await db.models.resources('CarePlan').collection.insertMany(docs.map((d) => ({ ...toStored(d), _id: d.id })) as never[]);
  indexes = await ensureGinIndexes(postgresUrl, db.models.connection.db!, storeIndexes(['CarePlan']));
  client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await dropTestDatabase(db);
});

async function plan(collection: string, field: string, value: unknown): Promise<string[]> {
  const i = indexes.find((x) => x.collection === collection && x.field === field)!;
  const table = `${client.escapeIdentifier(i.schema)}.${client.escapeIdentifier(i.table)}`;
  await client.query(`ANALYZE ${table}`);
  const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) SELECT _jsonb FROM ${table} WHERE _jsonb->$1 @> $2`, [field, JSON.stringify(value)]);
  return scans(rows[0]!['QUERY PLAN'][0].Plan);
}

const name = (collection: string, field: string): string => indexes.find((x) => x.collection === collection && x.field === field)!.name;

describe.runIf(postgresUrl)('on the embedded database', () => {
  it('a search value is found through the GIN index on keys', async () => {
    expect(await plan('CarePlan.resources', 'keys', 'patient=Patient/p7')).toEqual([name('CarePlan.resources', 'keys')]);
    expect(await plan('CarePlan.versions', 'keys', 'patient=Patient/p7')).toEqual([name('CarePlan.versions', 'keys')]);
  });

  it('a read by id, and a version by its key, through the GIN index on _id', async () => {
    expect(await plan('CarePlan.resources', '_id', 'pl7')).toEqual([name('CarePlan.resources', '_id')]);
    expect(await plan('CarePlan.versions', '_id', 'pl7/_history/1')).toEqual([name('CarePlan.versions', '_id')]);
  });

  it('the outbox and a resource\'s versions through theirs', async () => {
    expect(await plan('CarePlan.versions', 'pending', true)).toEqual([name('CarePlan.versions', 'pending')]);
    expect(await plan('CarePlan.versions', 'id', 'pl7')).toEqual([name('CarePlan.versions', 'id')]);
  });
});
