/**
 * The embedded MongoDB-wire database: FerretDB v1 with its SQLite backend
 * (DESIGN.md "Components"). Used by `npm start` and the tests when
 * MONGODB_URI is unset; never a fake — it is a real MongoDB-wire server.
 *
 * The binary is built once from tools/ferretdb (a Go module pinning FerretDB
 * v1.24.2) into .bin/ and reused while it is newer than that module's sources.
 */
import { spawn, execFile } from 'node:child_process';
import { existsSync, statSync, mkdirSync, renameSync, rmSync } from 'node:fs';
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
  return ['go.mod', 'go.sum', 'main.go'].every((f) => statSync(join(TOOL_DIR, f)).mtimeMs <= built);
}

/** Builds the FerretDB launcher if it is missing or stale. Safe to call concurrently. */
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

export interface EmbeddedDatabase {
  uri: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  dataDir: string;
  /** FerretDB's own log level; it writes to our stderr. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  log?: (msg: string) => void;
}

/** Starts FerretDB on a free loopback port and resolves once it accepts connections. */
export async function launchFerretdb(opts: LaunchOptions): Promise<EmbeddedDatabase> {
  const binary = await ensureFerretdbBinary(opts.log);
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const child = spawn(binary, ['--listen', '127.0.0.1:0', '--data-dir', dataDir, '--log-level', opts.logLevel ?? 'error'], {
    // stdin stays open as a lifeline: when this process dies, FerretDB sees EOF and exits.
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));

  const uri = await new Promise<string>((res, rej) => {
    let buf = '';
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString();
      const m = /^ready (\S+)$/m.exec(buf);
      if (m?.[1]) {
        child.stdout?.off('data', onData);
        res(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('error', rej);
    child.once('exit', (code) => rej(new Error(`FerretDB exited with code ${code} before it was ready`)));
  });

  let stopping: Promise<void> | undefined;
  return {
    uri,
    dataDir,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null) child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
