/** The development secret in the data folder, and the environment → auth settings mapping. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { devSecretPath, loadOrCreateDevSecret } from '../../src/auth/dev-secret.ts';
import { authSettingsFromEnv } from '../../src/auth/settings.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'samplan-auth-secret-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('loadOrCreateDevSecret', () => {
  it('creates a 32-byte random secret with mode 0600, in a data folder it creates', () => {
    const dataDir = join(dir, 'nested', 'data');
    const secret = loadOrCreateDevSecret(dataDir);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    const file = devSecretPath(dataDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(secret);
  });

  it('returns the same secret on the next call, and a different one elsewhere', () => {
    const a = loadOrCreateDevSecret(dir);
    expect(loadOrCreateDevSecret(dir)).toBe(a);
    expect(loadOrCreateDevSecret(join(dir, 'other'))).not.toBe(a);
  });

  it('tightens a loosened file mode', () => {
    loadOrCreateDevSecret(dir);
    chmodSync(devSecretPath(dir), 0o644);
    loadOrCreateDevSecret(dir);
    expect(statSync(devSecretPath(dir)).mode & 0o777).toBe(0o600);
  });

  it('refuses a secret that is too short', () => {
    writeFileSync(devSecretPath(dir), 'short\n', { mode: 0o600 });
    expect(() => loadOrCreateDevSecret(dir)).toThrow(/shorter than 32/);
  });
});

describe('authSettingsFromEnv', () => {
  it('nothing configured: HS256 with the development secret from the data folder', () => {
    const s = authSettingsFromEnv({ SAMPLAN_DATA_DIR: dir });
    expect(s.devSecret).toEqual({ file: devSecretPath(dir), created: true });
    expect(s.authenticator.hs256?.issuer).toBe('samplan');
    expect(s.authenticator.hs256?.secret).toBe(readFileSync(devSecretPath(dir), 'utf8').trim());
    expect(s.authenticator.jwks).toBeUndefined();
    expect(s.authenticator.clockToleranceSeconds).toBe(30);
    expect(authSettingsFromEnv({ SAMPLAN_DATA_DIR: dir }).devSecret?.created).toBe(false);
  });

  it('SAMPLAN_JWT_SECRET wins and no file is written', () => {
    const s = authSettingsFromEnv({ SAMPLAN_DATA_DIR: dir, SAMPLAN_JWT_SECRET: 'z'.repeat(40), SAMPLAN_JWT_ISSUER: 'https://me', SAMPLAN_JWT_AUDIENCE: 'a1, a2' });
    expect(s.authenticator.hs256).toEqual({ secret: 'z'.repeat(40), issuer: 'https://me', audience: ['a1', 'a2'] });
    expect(s.devSecret).toBeUndefined();
    expect(existsSync(devSecretPath(dir))).toBe(false);
  });

  it('a JWKS URL alone turns HS256 off', () => {
    const s = authSettingsFromEnv({ SAMPLAN_DATA_DIR: dir, SAMPLAN_JWKS_URL: 'https://idp/jwks', SAMPLAN_JWT_ISSUER: 'https://idp', SAMPLAN_JWT_AUDIENCE: 'samplan' });
    expect(s.authenticator.jwks).toEqual({ url: 'https://idp/jwks', issuer: 'https://idp', audience: 'samplan' });
    expect(s.authenticator.hs256).toBeUndefined();
    expect(existsSync(devSecretPath(dir))).toBe(false);
  });

  it('a JWKS URL without an issuer is a configuration error', () => {
    expect(() => authSettingsFromEnv({ SAMPLAN_DATA_DIR: dir, SAMPLAN_JWKS_URL: 'https://idp/jwks' })).toThrow(/SAMPLAN_JWT_ISSUER/);
  });

  it('clock tolerance must be sensible', () => {
    expect(authSettingsFromEnv({ SAMPLAN_DATA_DIR: dir, SAMPLAN_JWT_CLOCK_TOLERANCE: '5' }).authenticator.clockToleranceSeconds).toBe(5);
    expect(() => authSettingsFromEnv({ SAMPLAN_DATA_DIR: dir, SAMPLAN_JWT_CLOCK_TOLERANCE: 'lots' })).toThrow(/CLOCK_TOLERANCE/);
  });
});
