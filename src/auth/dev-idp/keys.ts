/**
 * The development identity provider's RS256 signing key:
 * `<dataDir>/dev-idp-jwks.json` (a private JWK Set, mode 0600), generated on
 * first start and reused, so tokens an app holds survive a restart of
 * `npm start`. Created exclusively: two processes starting at once end up
 * with one key. The public half is what samplan's authenticator trusts.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';

export const DEV_IDP_KEY_FILE = 'dev-idp-jwks.json';

export interface DevIdpKeys {
  /** The private key set, for oidc-provider's `jwks`. */
  signing: { keys: JWK[] };
  /** The public key set, for samplan's authenticator and `/dev-idp/jwks`. */
  public: JSONWebKeySet;
}

const PUBLIC_MEMBERS = ['kty', 'n', 'e', 'kid', 'alg', 'use'] as const;

function publicOf(keys: JWK[]): JSONWebKeySet {
  return { keys: keys.map((k) => Object.fromEntries(PUBLIC_MEMBERS.filter((m) => k[m] !== undefined).map((m) => [m, k[m]])) as JWK) };
}

function read(file: string): DevIdpKeys {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { keys?: JWK[] };
  const keys = parsed.keys ?? [];
  if (keys.length === 0 || keys.some((k) => k.kty !== 'RSA' || typeof k.d !== 'string')) throw new Error(`${file} does not hold a private RSA key set; delete it to generate a new one`);
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return { signing: { keys }, public: publicOf(keys) };
}

async function generate(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' };
}

export async function loadOrCreateDevIdpKeys(dataDir: string): Promise<DevIdpKeys> {
  const file = join(dataDir, DEV_IDP_KEY_FILE);
  try {
    return read(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = await generate();
  try {
    writeFileSync(file, `${JSON.stringify({ keys: [key] })}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return read(file);
}
