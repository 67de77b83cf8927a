/**
 * The development identity provider exists only for `npm start` without an
 * external provider outside production: otherwise `/dev-idp/*` is the app's
 * ordinary 404 and a token signed with its key is refused (401). Its key is
 * kept in the data folder (mode 0600) and reused.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_IDP_KEY_FILE, devIdpWanted, publicOrigin } from '../../src/auth/dev-idp/index.ts';
import { loadOrCreateDevIdpKeys } from '../../src/auth/dev-idp/keys.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { planFor, teamFor } from '../security/support.ts';

let dataDir = '';
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'samplan-dev-idp-off-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A token as the development provider would sign it, for the server at `url`. */
async function devSigned(url: string): Promise<string> {
  const keys = await loadOrCreateDevIdpKeys(dataDir);
  const jwk = keys.signing.keys[0]!;
  const key = await importJWK(jwk, 'RS256');
  return new SignJWT({ scope: 'patient/*.rs', fhirUser: `${url}/fhir/Patient/off-p1` })
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid!, typ: 'at+jwt' })
    .setIssuer(`${url}/dev-idp`)
    .setAudience(`${url}/fhir`)
    .setSubject('Patient/off-p1')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(key);
}

describe('when it runs', () => {
  it('only without SAMPLAN_JWKS_URL and outside production', () => {
    expect(devIdpWanted({})).toBe(true);
    expect(devIdpWanted({ NODE_ENV: 'development' })).toBe(true);
    expect(devIdpWanted({ NODE_ENV: 'production' })).toBe(false);
    expect(devIdpWanted({ SAMPLAN_JWKS_URL: 'https://idp.example/jwks' })).toBe(false);
  });

  it('takes its issuer from SAMPLAN_PUBLIC_URL without /fhir, else localhost', () => {
    expect(publicOrigin('https://samplan.example/fhir', 8080)).toBe('https://samplan.example');
    expect(publicOrigin(undefined, 8080)).toBe('http://localhost:8080');
  });

  it('keeps its key in the data folder, mode 0600, and reuses it', async () => {
    const a = await loadOrCreateDevIdpKeys(dataDir);
    const b = await loadOrCreateDevIdpKeys(dataDir);
    expect(b.public).toEqual(a.public);
    expect(statSync(join(dataDir, DEV_IDP_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(a.public.keys[0]!.d).toBeUndefined();
  });

  it('when on, trusts its own key (the control for the refusals below)', async () => {
    const s = await startTestServer({}, { devIdp: { dataDir } });
    try {
      await s.seed({ resourceType: 'Patient', id: 'off-p1' });
      await s.seed(teamFor('off-team', 'Patient/off-p1', []));
      await s.seed(planFor('off-plan', 'Patient/off-p1', 'CareTeam/off-team'));
      const res = await s.request('/fhir/CarePlan/off-plan', { auth: await devSigned(s.url) });
      expect(res.status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe.each([
  ['an external provider is configured', { SAMPLAN_JWKS_URL: 'https://idp.example/jwks', SAMPLAN_JWT_ISSUER: 'https://idp.example' }],
  ['NODE_ENV is production', { NODE_ENV: 'production' }],
])('when %s', (_what, env) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(env, { devIdp: { dataDir } });
    await s.seed({ resourceType: 'Patient', id: 'off-p1' });
    await s.seed(teamFor('off-team', 'Patient/off-p1', []));
    await s.seed(planFor('off-plan', 'Patient/off-p1', 'CareTeam/off-team'));
  });
  afterAll(() => s?.close());

  it.each(['/dev-idp/auth?client_id=samplan-app', '/dev-idp/token', '/dev-idp/jwks', '/dev-idp/.well-known/openid-configuration', '/dev-idp/interaction/x'])('%s is the ordinary 404', async (path) => {
    const res = await fetch(`${s.url}${path}`, { method: path.endsWith('/token') ? 'POST' : 'GET' });
    expect(res.status).toBe(404);
    const body = (await res.json()) as fhir4.OperationOutcome;
    expect(body.resourceType).toBe('OperationOutcome');
  });

  it('refuses a token signed with the development key (401)', async () => {
    expect(s.devIdp).toBeUndefined();
    const res = await s.request('/fhir/CarePlan/off-plan', { auth: await devSigned(s.url) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="samplan"/);
  });

  it('publishes no development endpoints', async () => {
    const doc = (await (await fetch(`${s.url}/.well-known/smart-configuration`)).json()) as Record<string, unknown>;
    expect(doc['authorization_endpoint']).toBeUndefined();
    expect(JSON.stringify(doc)).not.toContain('/dev-idp');
  });
});
