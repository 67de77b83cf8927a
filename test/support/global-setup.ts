/**
 * Vitest global setup: one real embedded FerretDB (on its own PostgreSQL) for
 * the whole run, in a temporary folder. Each test file takes its own database name on it
 * (test/support/db.ts), so files never see each other's data.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { launchEmbeddedDatabase } from '../../src/store/embedded/launch.ts';
import { ensureWebBuilt } from '../../src/web/index.ts';
import { WEB_BUNDLE } from './web-bundle.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    /** The embedded database's PostgreSQL, where its indexes go; empty on an external MongoDB. */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The web apps, bundled once for every test file that serves them (test/web/).
  await ensureWebBuilt(WEB_BUNDLE);
  const external = process.env.MONGODB_URI;
  if (external) {
    project.provide('mongoUri', external);
    project.provide('postgresUrl', '');
    return async () => {};
  }
  // A RAM disk where there is one, and no fsync: the test database is thrown away anyway.
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'samplan-test-db-'));
  const db = await launchEmbeddedDatabase({ dataDir: dir, fsync: false, log: (m) => console.error(`[global-setup] ${m}`) });
  project.provide('mongoUri', db.uri);
  project.provide('postgresUrl', db.postgresUrl);
  return async () => {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
