/** The embedded database starts, and both of its faces answer: mongoose over FerretDB, and PostgreSQL itself. */
import mongoose from 'mongoose';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchEmbeddedDatabase, type EmbeddedDatabase } from '../../../src/store/embedded/launch.ts';
import { tempDataDir } from './helpers.ts';

const data = tempDataDir();
let db: EmbeddedDatabase;

beforeAll(async () => {
  db = await launchEmbeddedDatabase({ dataDir: data.dir, fsync: false });
});
afterAll(async () => {
  await db?.stop();
  data.remove();
});

it('answers a mongoose connection', async () => {
  const conn = await mongoose.createConnection(db.uri, { dbName: 'starts' }).asPromise();
  try {
    const Thing = conn.model('Thing', new mongoose.Schema({ name: String }));
    await Thing.create({ name: 'first' });
    expect((await Thing.findOne({ name: 'first' }).lean())?.name).toBe('first');
  } finally {
    await conn.close();
  }
});

it('keeps the data in PostgreSQL, reachable only over its socket', async () => {
  expect(db.postgresUrl).toMatch(/^postgres:\/\/[^/]*@\/\w+\?host=%2F/);
  const client = new pg.Client({ connectionString: db.postgresUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ listen: string; schema: string | null }>(
      `SELECT current_setting('listen_addresses') AS listen, (SELECT nspname FROM pg_namespace WHERE nspname = 'starts') AS schema`,
    );
    expect(rows[0]).toEqual({ listen: '', schema: 'starts' });
  } finally {
    await client.end();
  }
});
