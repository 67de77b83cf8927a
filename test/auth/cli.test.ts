/** `npm run token -- …` mints development tokens that samplan accepts. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { runCli } from '../../src/auth/cli.ts';
import { authSettingsFromEnv } from '../../src/auth/settings.ts';
import { createAuthenticator } from '../../src/auth/verify.ts';
import { AGREE_SCOPE, hasScope, permits } from '../../src/auth/scopes.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

let dir: string;
let env: Record<string, string>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'samplan-auth-cli-'));
  env = { SAMPLAN_DATA_DIR: dir };
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], e: Record<string, string> = env): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, e, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

async function verify(token: string, e: Record<string, string> = env) {
  return createAuthenticator(authSettingsFromEnv(e).authenticator)(`Bearer ${token}`);
}

describe('token CLI', () => {
  it('--patient mints a patient token with the default scopes and the $agree ability', async () => {
    const r = await run(['--patient', 'Patient/p1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[^\n]+\n$/);
    const token = r.stdout.trim();
    expect(token).toMatch(JWT);
    expect(r.stderr).toMatch(/generated a development secret/);
    const p = await verify(token);
    expect(p).toMatchObject({ kind: 'patient', fhirUser: 'Patient/p1', sub: 'Patient/p1', issuer: 'samplan' });
    expect(permits(p, 'CarePlan', 'r')).toBe(true);
    expect(permits(p, 'CareTeam', 's')).toBe(true);
    expect(permits(p, 'Goal', 'r')).toBe(true);
    // .u is granted; the access policy narrows it to progress on the patient's own measures.
    expect(permits(p, 'CarePlan', 'u')).toBe(true);
    expect(permits(p, 'CarePlan', 'd')).toBe(false);
    expect(hasScope(p, AGREE_SCOPE)).toBe(true);
    const claims = decodeJwt(token);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'HS256', typ: 'at+jwt' });
  });

  it('--practitioner with --organization', async () => {
    const r = await run(['--practitioner', 'Practitioner/x', '--organization', 'Organization/y']);
    expect(r.code).toBe(0);
    const p = await verify(r.stdout.trim());
    expect(p).toMatchObject({ kind: 'practitioner', fhirUser: 'Practitioner/x', organization: 'Organization/y', scope: 'user/*.cruds' });
    expect(permits(p, 'CarePlan', 'c')).toBe(true);
  });

  it('--related-person mints a next-of-kin token: patient/ read scopes and the $agree ability, no writes', async () => {
    const r = await run(['--related-person', 'RelatedPerson/k1']);
    expect(r.code).toBe(0);
    const p = await verify(r.stdout.trim());
    expect(p).toMatchObject({ kind: 'relatedPerson', fhirUser: 'RelatedPerson/k1', sub: 'RelatedPerson/k1' });
    expect(permits(p, 'CarePlan', 'r')).toBe(true);
    expect(permits(p, 'CarePlan', 'u')).toBe(false);
    expect(hasScope(p, AGREE_SCOPE)).toBe(true);
    expect((await run(['--related-person', 'Patient/p1'])).code).toBe(1);
  });

  it('--system', async () => {
    const r = await run(['--system']);
    expect(r.code).toBe(0);
    const p = await verify(r.stdout.trim());
    expect(p).toMatchObject({ kind: 'system', scope: 'system/*.cruds __samplan.admin' });
  });

  it('--scope, --ttl and --sub override the defaults', async () => {
    const r = await run(['--practitioner', 'PractitionerRole/r1', '--scope', 'user/CarePlan.rs openid', '--ttl', '60', '--sub', 'hsa-123']);
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    const p = await verify(token);
    expect(p).toMatchObject({ kind: 'practitioner', sub: 'hsa-123', scope: 'user/CarePlan.rs openid' });
    expect(permits(p, 'CarePlan', 'u')).toBe(false);
    const claims = decodeJwt(token);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(60);
  });

  it('uses SAMPLAN_JWT_SECRET, issuer and audience from the environment', async () => {
    const e = { ...env, SAMPLAN_JWT_SECRET: 's'.repeat(40), SAMPLAN_JWT_ISSUER: 'https://samplan.example', SAMPLAN_JWT_AUDIENCE: 'https://samplan.example/fhir' };
    const r = await run(['--patient', 'Patient/p9'], e);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const token = r.stdout.trim();
    expect(decodeJwt(token)).toMatchObject({ iss: 'https://samplan.example', aud: 'https://samplan.example/fhir' });
    await expect(verify(token, e)).resolves.toMatchObject({ fhirUser: 'Patient/p9' });
    // …and it does not verify against the development secret.
    await expect(verify(token)).rejects.toMatchObject({ kind: 'unauthenticated' });
  });

  it.each([
    [[], 2, /exactly one/],
    [['--patient', 'Patient/p1', '--system'], 2, /exactly one/],
    [['--patient', 'Practitioner/x'], 1, /fhirUser of type Patient/],
    [['--practitioner', 'Patient/p1'], 1, /Practitioner or PractitionerRole/],
    [['--patient', 'Patient/p1', '--organization', 'Organization/y'], 1, /only a practitioner/],
    [['--practitioner', 'Practitioner/x', '--organization', 'y'], 1, /Organization\/<id>/],
    [['--system', '--ttl', '-5'], 2, /./],
    [['--system', '--ttl', 'soon'], 1, /ttl/],
    [['--bogus'], 2, /Unknown option/],
  ] as [string[], number, RegExp][])('refuses %j', async (args, code, message) => {
    const r = await run(args);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('refuses to mint when only a JWKS is configured', async () => {
    const r = await run(['--system'], { ...env, SAMPLAN_JWKS_URL: 'https://idp.example/jwks', SAMPLAN_JWT_ISSUER: 'https://idp.example' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/SAMPLAN_JWKS_URL/);
  });

  it('runs as `tsx src/auth/cli.ts` (the npm script) and prints only the token', async () => {
    const { stdout } = await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsx'), ['src/auth/cli.ts', '--patient', 'Patient/p1'], {
      cwd: ROOT,
      env: { ...process.env, SAMPLAN_DATA_DIR: dir, SAMPLAN_JWT_SECRET: '', SAMPLAN_JWKS_URL: '' },
    });
    expect(stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    await expect(verify(stdout.trim())).resolves.toMatchObject({ kind: 'patient', fhirUser: 'Patient/p1' });
  }, 30_000);
});
