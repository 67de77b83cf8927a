/** Shared by the embedded-database tests: a throw-away data folder, and what its postmaster is doing. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'samplan-embedded-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function pidFile(dataDir: string): string {
  return join(dataDir, 'pg', 'postmaster.pid');
}

/** The PID in the cluster's postmaster.pid, if there is one. */
export function postmasterPid(dataDir: string): number | undefined {
  if (!existsSync(pidFile(dataDir))) return undefined;
  const pid = Number(readFileSync(pidFile(dataDir), 'utf8').split('\n')[0]);
  return pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls until `cond` holds; throws with `what` after a generous deadline. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, deadlineMs = 20_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
