/** A samplan killed outright (SIGKILL, no chance to clean up) takes its PostgreSQL with it. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { isAlive, pidFile, postmasterPid, tempDataDir, waitFor } from './helpers.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures/launch-and-wait.ts');

it('leaves no postmaster behind when the Node process that launched it is SIGKILLed', async () => {
  const data = tempDataDir();
  // node --import tsx, not the tsx CLI: that would be a second process between us and the launcher.
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, data.dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (/^ready /m.test(out)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`fixture exited (${code}) before it was ready`)));
    });
    const pid = postmasterPid(data.dir);
    expect(pid).toBeDefined();
    expect(isAlive(pid!)).toBe(true);

    child.kill('SIGKILL');
    await waitFor('the postmaster to exit', () => !isAlive(pid!));
    // It shut down rather than died: a clean shutdown removes its lock file.
    expect(existsSync(pidFile(data.dir))).toBe(false);
  } finally {
    child.kill('SIGKILL');
    data.remove();
  }
});
