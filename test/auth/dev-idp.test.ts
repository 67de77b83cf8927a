/**
 * The development identity provider end to end over HTTP (DESIGN.md "An
 * identity provider"): SMART standalone launch, authorization code + PKCE,
 * sign-in as a seeded person, and the access token works on /fhir with that
 * person's reach.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { planFor, teamFor } from '../security/support.ts';
import { signIn } from './dev-idp-support.ts';

let s: TestServer;
let issuer = '';

beforeAll(async () => {
  s = await startTestServer({}, { devIdp: true });
  issuer = s.devIdp!.issuer;
  await s.seed({ resourceType: 'Patient', id: 'idp-p1', name: [{ given: ['Tolvan'], family: 'Tolvansson' }] });
  await s.seed({ resourceType: 'Patient', id: 'idp-p2', name: [{ given: ['Elva'], family: 'Elvasson' }] });
  await s.seed({ resourceType: 'Practitioner', id: 'idp-doc', name: [{ given: ['Anna'], family: 'Läkare' }] });
  await s.seed({ resourceType: 'RelatedPerson', id: 'idp-kin', patient: { reference: 'Patient/idp-p1' }, name: [{ text: 'Kim <Anhörig>' }] });
  await s.seed(teamFor('idp-team-1', 'Patient/idp-p1', [{ member: { reference: 'Practitioner/idp-doc' } }, { member: { reference: 'RelatedPerson/idp-kin' } }]));
  await s.seed(teamFor('idp-team-2', 'Patient/idp-p2', [{ member: { reference: 'Practitioner/someone-else' } }]));
  await s.seed(planFor('idp-plan-1', 'Patient/idp-p1', 'CareTeam/idp-team-1'));
  await s.seed(planFor('idp-plan-2', 'Patient/idp-p2', 'CareTeam/idp-team-2'));
});
afterAll(() => s?.close());

const planIds = async (token: string): Promise<string[]> => {
  const res = await s.request('/fhir/CarePlan?_count=50', { auth: token });
  expect(res.status).toBe(200);
  return (((await res.json()) as fhir4.Bundle).entry ?? []).map((e) => e.resource!.id!);
};

describe('development sign-in: authorization code + PKCE', () => {
  it('a patient signs in and sees only their own plans', async () => {
    const { tokens, loginPage } = await signIn(issuer, s.url, s.fhir, 'Patient/idp-p1', 'openid fhirUser launch/patient patient/*.rs __samplan.agree');
    // The page lists the people in the database, with names, escaped, under a visible banner.
    expect(loginPage).toMatch(/<html lang="en">/);
    expect(loginPage).toMatch(/Development sign-in/);
    expect(loginPage).toContain('Tolvan Tolvansson');
    expect(loginPage).toContain('Anna Läkare');
    expect(loginPage).toContain('Kim &lt;Anhörig&gt;');
    expect(loginPage).toMatch(/<label><input type="radio" name="fhirUser" value="Patient\/idp-p1"/);

    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.patient).toBe('idp-p1');
    expect(decodeProtectedHeader(tokens.access_token).alg).toBe('RS256');
    const at = decodeJwt(tokens.access_token);
    expect(at.iss).toBe(issuer);
    expect(at.aud).toBe(s.fhir);
    expect(at.sub).toBe('Patient/idp-p1');
    expect(at['fhirUser']).toBe(`${s.fhir}/Patient/idp-p1`);
    expect(String(at['scope']).split(' ')).toEqual(expect.arrayContaining(['patient/*.rs', '__samplan.agree']));
    expect(typeof at.exp).toBe('number');
    expect(decodeJwt(tokens.id_token!)['fhirUser']).toBe(`${s.fhir}/Patient/idp-p1`);

    expect(await planIds(tokens.access_token)).toEqual(['idp-plan-1']);
    expect((await s.request('/fhir/CarePlan/idp-plan-2', { auth: tokens.access_token })).status).toBe(404);
  });

  it('a practitioner signs in and sees the plans of their team only', async () => {
    const { tokens } = await signIn(issuer, s.url, s.fhir, 'Practitioner/idp-doc', 'openid fhirUser user/*.cruds', 'samplan-team');
    expect(tokens.patient).toBeUndefined();
    expect(decodeJwt(tokens.access_token)['fhirUser']).toBe(`${s.fhir}/Practitioner/idp-doc`);
    expect(await planIds(tokens.access_token)).toEqual(['idp-plan-1']);
  });

  it('next of kin sign in as their RelatedPerson and see the plan of the team that lists them', async () => {
    const { tokens } = await signIn(issuer, s.url, s.fhir, 'RelatedPerson/idp-kin', 'openid fhirUser patient/*.rs __samplan.agree');
    expect(tokens.patient).toBeUndefined();
    expect(await planIds(tokens.access_token)).toEqual(['idp-plan-1']);
  });

  it('refuses a choice that is not a record in the database', async () => {
    await expect(signIn(issuer, s.url, s.fhir, 'Patient/nobody', 'openid fhirUser patient/*.rs')).rejects.toThrow();
  });

  it('refuses an authorization request without PKCE', async () => {
    const auth = new URL(`${issuer}/auth`);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: 'samplan-app', redirect_uri: `${s.url}/app/`, scope: 'openid patient/*.rs', state: 'x' })) auth.searchParams.set(k, v);
    const res = await fetch(auth, { redirect: 'manual' });
    const location = new URL(res.headers.get('location') ?? `${s.url}/none`);
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });

  it('publishes its endpoints in /.well-known/smart-configuration', async () => {
    const doc = (await (await fetch(`${s.url}/.well-known/smart-configuration`)).json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      grant_types_supported: ['authorization_code'],
      code_challenge_methods_supported: ['S256'],
    });
    expect(doc['capabilities']).toEqual(expect.arrayContaining(['launch-standalone', 'client-public', 'sso-openid-connect', 'context-standalone-patient']));
    const oidc = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(oidc['issuer']).toBe(issuer);
    const jwks = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys[0]!['kty']).toBe('RSA');
    expect(jwks.keys[0]!['d']).toBeUndefined();
  });
});
