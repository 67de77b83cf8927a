/**
 * A postmaster killed without warning (SIGKILL: as good as a power cut for
 * PostgreSQL, which leaves its lock file and an unfinished WAL) is recovered
 * by the next start, with everything committed before still there.
 */
import { existsSync } from 'node:fs';
import mongoose from 'mongoose';
import { expect, it } from 'vitest';
import { launchEmbeddedDatabase } from '../../../src/store/embedded/launch.ts';
import { isAlive, pidFile, postmasterPid, tempDataDir, waitFor } from './helpers.ts';

async function withClient<T>(uri: string, f: (c: mongoose.mongo.MongoClient) => Promise<T>): Promise<T> {
  const client = await mongoose.mongo.MongoClient.connect(uri);
  try {
    return await f(client);
  } finally {
    await client.close();
  }
}

it('restarts after the postmaster was killed, with the data inserted before', async () => {
  const data = tempDataDir();
  try {
    // Durable settings (fsync and synchronous commit on): acknowledged writes must survive.
    const first = await launchEmbeddedDatabase({ dataDir: data.dir });
    await withClient(first.uri, (c) => c.db('powercut').collection<{ _id: string; n: number }>('plans').insertMany([1, 2, 3].map((n) => ({ _id: `p${n}`, n }))));
    const pid = postmasterPid(data.dir)!;
    process.kill(pid, 'SIGKILL');
    await waitFor('the postmaster to die', () => !isAlive(pid));
    expect(existsSync(pidFile(data.dir))).toBe(true); // left behind, stale
    await first.stop(); // the launcher noticed and has gone; this only waits for it

    const second = await launchEmbeddedDatabase({ dataDir: data.dir });
    try {
      const docs = await withClient(second.uri, (c) => c.db('powercut').collection<{ _id: string; n: number }>('plans').find().sort({ n: 1 }).toArray());
      expect(docs).toEqual([1, 2, 3].map((n) => ({ _id: `p${n}`, n })));
      expect(postmasterPid(data.dir)).not.toBe(pid);
    } finally {
      await second.stop();
    }
  } finally {
    data.remove();
  }
});
