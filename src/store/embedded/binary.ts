/**
 * The embedded database's launcher binary (tools/ferretdb: FerretDB v1.24.2
 * on its PostgreSQL backend, plus the private PostgreSQL cluster it starts).
 * Built once with Go into .bin/ and reused while it is newer than that
 * module's sources.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TOOL_DIR = join(PROJECT_ROOT, 'tools/ferretdb');
export const FERRETDB_BINARY = join(PROJECT_ROOT, '.bin/samplan-ferretdb');

function findGo(): string {
  const candidates = [
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'go')),
    '/usr/local/go/bin/go',
    '/usr/lib/go/bin/go',
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error('The Go toolchain is needed to build the embedded database (FerretDB) but `go` was not found on PATH or at /usr/local/go/bin/go. Install Go, or set MONGODB_URI to use an existing MongoDB.');
  }
  return found;
}

function isUpToDate(): boolean {
  if (!existsSync(FERRETDB_BINARY)) return false;
  const built = statSync(FERRETDB_BINARY).mtimeMs;
  const sources = readdirSync(TOOL_DIR).filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go'));
  return sources.every((f) => statSync(join(TOOL_DIR, f)).mtimeMs <= built);
}

/** Builds the launcher if it is missing or stale. Safe to call concurrently. */
export async function ensureFerretdbBinary(log: (msg: string) => void = () => {}): Promise<string> {
  if (isUpToDate()) return FERRETDB_BINARY;
  const go = findGo();
  mkdirSync(dirname(FERRETDB_BINARY), { recursive: true });
  // Build to a private name and rename: concurrent builders never see a half-written binary.
  const tmp = `${FERRETDB_BINARY}.${process.pid}.${Date.now()}`;
  log(`building the embedded database (FerretDB v1.24.2) with ${go}; the first build takes a few minutes`);
  try {
    await run(go, ['build', '-o', tmp, '.'], {
      cwd: TOOL_DIR,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    rmSync(tmp, { force: true });
    const e = err as { stderr?: string; message: string };
    throw new Error(`building FerretDB failed: ${e.stderr?.trim() || e.message}`);
  }
  renameSync(tmp, FERRETDB_BINARY);
  return FERRETDB_BINARY;
}
