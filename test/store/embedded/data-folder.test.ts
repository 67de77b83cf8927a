/**
 * `npm start` puts the database in `<data folder>/db`, and the data folder may
 * not exist yet: creating it must not close it to the postgres user (the
 * server's user when samplan runs as root), and the database's own folder is private.
 */
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { launchEmbeddedDatabase } from '../../../src/store/embedded/launch.ts';
import { tempDataDir } from './helpers.ts';

it('starts in a folder it has to create inside a new data folder', async () => {
  const root = tempDataDir();
  try {
    chmodSync(root.dir, 0o755); // as a checkout's folder would be
    const db = await launchEmbeddedDatabase({ dataDir: join(root.dir, 'data', 'db'), fsync: false });
    await db.stop();
    expect(statSync(join(root.dir, 'data')).mode & 0o777).not.toBe(0o700);
    expect(statSync(join(root.dir, 'data', 'db')).mode & 0o777).toBe(0o700);
  } finally {
    root.remove();
  }
});
