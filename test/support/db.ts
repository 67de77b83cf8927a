/**
 * A database of its own for each test file, on the one real embedded FerretDB
 * the global setup started (test/support/global-setup.ts).
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/store/index.ts';

export async function openTestDatabase(clock?: () => Date): Promise<Database> {
  const name = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const postgresUrl = inject('postgresUrl');
  return openDatabase(inject('mongoUri'), name, { ...(clock ? { clock } : {}), ...(postgresUrl ? { postgresUrl } : {}) });
}

/** Drops the file's database and closes the connection. */
export async function dropTestDatabase(db: Database): Promise<void> {
  await db.models.connection.dropDatabase();
  await db.close();
}
