/** stop() takes PostgreSQL down with FerretDB: no postmaster and no lock file are left. */
import { expect, it } from 'vitest';
import { launchEmbeddedDatabase } from '../../../src/store/embedded/launch.ts';
import { isAlive, pidFile, postmasterPid, tempDataDir } from './helpers.ts';
import { existsSync } from 'node:fs';

it('leaves no postgres process behind', async () => {
  const data = tempDataDir();
  try {
    const db = await launchEmbeddedDatabase({ dataDir: data.dir, fsync: false });
    const pid = postmasterPid(data.dir);
    expect(pid).toBeDefined();
    expect(isAlive(pid!)).toBe(true);
    await db.stop();
    // stop() resolves once the launcher has exited, and it exits only after the postmaster has.
    expect(existsSync(pidFile(data.dir))).toBe(false);
    expect(isAlive(pid!)).toBe(false);
  } finally {
    data.remove();
  }
});
