/**
 * The embedded MongoDB-wire database (DESIGN.md "Components"): FerretDB v1 on
 * its PostgreSQL backend, on a private PostgreSQL cluster in the data folder.
 * Used by `npm start` and the tests when MONGODB_URI is unset; never a fake —
 * it is a real MongoDB-wire server on a real PostgreSQL.
 *
 * One child process (tools/ferretdb) owns both servers, so it alone orders
 * their shutdown; it stops when we ask, and when our end of its stdin closes
 * (this process died, even by SIGKILL).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ensureFerretdbBinary } from './binary.ts';
import { findPostgresBin } from './postgres-bin.ts';

export interface EmbeddedDatabase {
  /** mongodb:// URI of FerretDB. */
  uri: string;
  /** postgres:// URL of the database FerretDB keeps its data in (Unix socket only), for what FerretDB cannot do, such as GIN indexes. */
  postgresUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  /** Holds the cluster (`pg/`) and, when its path is short enough, the server's socket (`run/`). */
  dataDir: string;
  /**
   * false: PostgreSQL neither fsyncs nor waits for its WAL to reach disk. Only
   * for databases thrown away anyway (the tests'); a crash may lose or corrupt data.
   */
  fsync?: boolean;
  /** The launcher's, FerretDB's and PostgreSQL's log level; they write to our stderr. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  log?: (msg: string) => void;
}

/** Kept of the launcher's stderr to explain a failed start. */
const STDERR_TAIL = 4096;

/** Starts PostgreSQL and FerretDB (on a free loopback port) and resolves once both accept connections. */
export async function launchEmbeddedDatabase(opts: LaunchOptions): Promise<EmbeddedDatabase> {
  const pgBin = findPostgresBin();
  const binary = await ensureFerretdbBinary(opts.log);
  const dataDir = resolve(opts.dataDir);
  // Only the database's own folder is private: a recursive 0700 would also close the
  // folders above it (samplan's data folder) to the postgres user when we run as root.
  mkdirSync(dirname(dataDir), { recursive: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const args = ['--listen', '127.0.0.1:0', '--data-dir', dataDir, '--pg-bin', pgBin, '--log-level', opts.logLevel ?? 'error'];
  if (opts.fsync === false) args.push('--fast');
  const child = spawn(binary, args, {
    // stdin stays open as a lifeline: when this process dies, the launcher sees EOF and stops both servers.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  let stderrTail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL);
  });

  const { uri, postgresUrl } = await new Promise<{ uri: string; postgresUrl: string }>((res, rej) => {
    let buf = '';
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString();
      const ready = /^ready (\S+)$/m.exec(buf)?.[1];
      const pg = /^postgres (\S+)$/m.exec(buf)?.[1];
      if (ready && pg) {
        child.stdout.off('data', onData);
        res({ uri: ready, postgresUrl: pg });
      }
    };
    child.stdout.on('data', onData);
    child.once('error', rej);
    child.once('exit', (code, signal) => {
      const why = stderrTail.split('\n').filter((l) => l.startsWith('samplan-ferretdb: ')).join('\n');
      rej(new Error(`the embedded database exited (${signal ?? `code ${code}`}) before it was ready${why ? `: ${why}` : ''}`));
    });
  });

  let stopping: Promise<void> | undefined;
  child.once('exit', (code, signal) => {
    if (!stopping) opts.log?.(`the embedded database stopped by itself (${signal ?? `code ${code}`}); its messages are above`);
  });
  return {
    uri,
    postgresUrl,
    dataDir,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        // PostgreSQL's fast shutdown writes a checkpoint; give it time before cutting it short
        // (the kernel then still asks the postmaster to stop: the launcher sets Pdeathsig).
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
