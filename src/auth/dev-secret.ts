/**
 * The local development HS256 secret: `<dataDir>/jwt-secret`, created on first
 * use with 32 random bytes (RFC 7518 §3.2: an HS256 key at least as long as the
 * hash output) and file mode 0600, so that `npm start` and `npm run token` agree
 * on a secret without anyone configuring one.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEV_SECRET_FILE = 'jwt-secret';

export function devSecretPath(dataDir: string): string {
  return join(dataDir, DEV_SECRET_FILE);
}

function readSecret(file: string): string {
  const secret = readFileSync(file, 'utf8').trim();
  // The file holds base64url text; its UTF-8 bytes are the key (verify.ts), 43 chars for 32 random bytes.
  if (secret.length < 32) throw new Error(`${file} holds a secret shorter than 32 characters; delete it to generate a new one`);
  // Keep it private even if someone loosened the mode.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return secret;
}

/**
 * The secret in `<dataDir>/jwt-secret`, generated (32 random bytes, base64url,
 * mode 0600) when the file does not exist. Safe against two processes starting
 * at once: the file is created exclusively and the loser reads the winner's.
 */
export function loadOrCreateDevSecret(dataDir: string): string {
  const file = devSecretPath(dataDir);
  try {
    return readSecret(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readSecret(file);
    throw err;
  }
}
