/** Bearer JWT verification with the HS256 shared secret (DESIGN.md "Auth contract"). */
import { DEFAULT_SCOPES } from '../../src/auth/tokens.ts';
import { describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { createAuthenticator } from '../../src/auth/verify.ts';
import { mintDevToken } from '../../src/auth/tokens.ts';
import { permits } from '../../src/auth/scopes.ts';
import { expectUnauthenticated } from './support.ts';

const SECRET = 'test-secret-0123456789-abcdefghijklmnop';
const ISSUER = 'samplan';
const AUDIENCE = 'https://samplan.test/fhir';
const authenticate = createAuthenticator({ hs256: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE } });

const now = (): number => Math.floor(Date.now() / 1000);

/** Sign arbitrary claims with HS256; defaults make a valid practitioner token. */
async function sign(claims: JWTPayload = {}, secret = SECRET, header: { alg: string; typ?: string } = { alg: 'HS256' }): Promise<string> {
  const payload: JWTPayload = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'u1',
    iat: now(),
    exp: now() + 600,
    scope: 'user/*.cruds',
    fhirUser: 'Practitioner/x',
    ...claims,
  };
  for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
  return new SignJWT(payload).setProtectedHeader(header).sign(new TextEncoder().encode(secret));
}

describe('HS256: accepted tokens', () => {
  it('a development patient token becomes a patient principal', async () => {
    const token = await mintDevToken(SECRET, { kind: 'patient', fhirUser: 'Patient/p1', issuer: ISSUER, audience: AUDIENCE });
    const p = await authenticate(`Bearer ${token}`);
    expect(p.kind).toBe('patient');
    expect(p.sub).toBe('Patient/p1');
    expect(p.fhirUser).toBe('Patient/p1');
    expect(p.issuer).toBe(ISSUER);
    expect(p.scope).toBe(DEFAULT_SCOPES.patient);
    expect(permits(p, 'CarePlan', 'r')).toBe(true);
    // .u is granted; the access policy narrows it to progress on the patient's own measures.
    expect(permits(p, 'CarePlan', 'u')).toBe(true);
    expect(permits(p, 'CarePlan', 'd')).toBe(false);
  });

  it('a practitioner token carries its organisation', async () => {
    const p = await authenticate(`Bearer ${await sign({ organization: 'Organization/region-skane' })}`);
    expect(p).toMatchObject({ kind: 'practitioner', sub: 'u1', fhirUser: 'Practitioner/x', organization: 'Organization/region-skane' });
    expect(permits(p, 'CarePlan', 'c')).toBe(true);
  });

  it('PractitionerRole is a practitioner; absolute fhirUser URLs reduce to Type/id', async () => {
    const p = await authenticate(`Bearer ${await sign({ fhirUser: 'https://idp.example.se/fhir/PractitionerRole/r7' })}`);
    expect(p.kind).toBe('practitioner');
    expect(p.fhirUser).toBe('PractitionerRole/r7');
  });

  it('no fhirUser and system scopes → system', async () => {
    const p = await authenticate(`Bearer ${await sign({ fhirUser: undefined, scope: 'system/*.cruds' })}`);
    expect(p.kind).toBe('system');
    expect(p.fhirUser).toBeUndefined();
  });

  it('the scheme is case-insensitive; the scope claim may be an array', async () => {
    const p = await authenticate(`bearer ${await sign({ scope: ['user/CarePlan.rs', 'openid'] })}`);
    expect(p.scope).toBe('user/CarePlan.rs openid');
    expect(p.scopes).toHaveLength(1);
  });

  it('expiry within the 30 s clock tolerance is accepted', async () => {
    await expect(authenticate(`Bearer ${await sign({ exp: now() - 10 })}`)).resolves.toMatchObject({ kind: 'practitioner' });
  });

  it('not-before within the clock tolerance is accepted', async () => {
    await expect(authenticate(`Bearer ${await sign({ nbf: now() + 10 })}`)).resolves.toMatchObject({ kind: 'practitioner' });
  });
});

describe('HS256: refused tokens (401 invalid_token, no token in the response)', () => {
  it('expired', async () => {
    const token = await sign({ iat: now() - 7200, exp: now() - 3600 });
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /expired/, token });
  });

  it('not valid yet (nbf in the future)', async () => {
    const token = await sign({ nbf: now() + 3600 });
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /not valid yet/, token });
  });

  it('wrong signature', async () => {
    const token = await sign({}, 'another-secret-0123456789-abcdefghijklmnop');
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /signature/, token });
  });

  it('tampered payload', async () => {
    const [h, , s] = (await sign()).split('.');
    const forged = Buffer.from(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'u1', exp: now() + 600, scope: 'system/*.cruds' })).toString('base64url');
    const token = `${h}.${forged}.${s}`;
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /signature/, token });
  });

  it('wrong issuer', async () => {
    const token = await sign({ iss: 'https://evil.example' });
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /issuer/, token });
  });

  it('wrong audience', async () => {
    const token = await sign({ aud: 'https://other.example/fhir' });
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /audience/, token });
  });

  it('missing audience when one is configured', async () => {
    const token = await sign({ aud: undefined });
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', token });
  });

  it('alg none (unsecured JWT)', async () => {
    const token = new UnsecuredJWT({ scope: 'system/*.cruds' }).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject('u1').setExpirationTime('10m').encode();
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /algorithm/, token });
  });

  it('HS512 is not on the allow-list', async () => {
    const token = await sign({}, SECRET, { alg: 'HS512' });
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /algorithm/, token });
  });

  it('RS256 when no JWKS is configured', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k' })).toString('base64url');
    const [, p, s] = (await sign()).split('.');
    await expectUnauthenticated(authenticate(`Bearer ${header}.${p}.${s}`), { error: 'invalid_token', description: /algorithm/ });
  });

  it('no exp', async () => {
    const token = await sign({ exp: undefined });
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /exp/, token });
  });

  it('no sub', async () => {
    const token = await sign({ sub: undefined });
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /sub/, token });
  });

  it('neither fhirUser nor system scopes', async () => {
    const token = await sign({ fhirUser: undefined, scope: 'user/*.cruds' });
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /fhirUser/, token });
  });

  it('fhirUser of an unsupported type, or not a reference', async () => {
    await expectUnauthenticated(authenticate(`Bearer ${await sign({ fhirUser: 'Person/r1' })}`), { error: 'invalid_token', description: /Person/ });
    await expectUnauthenticated(authenticate(`Bearer ${await sign({ fhirUser: 'not a reference' })}`), { error: 'invalid_token', description: /fhirUser/ });
    await expectUnauthenticated(authenticate(`Bearer ${await sign({ fhirUser: 42 })}`), { error: 'invalid_token', description: /fhirUser/ });
  });

  it('a RelatedPerson fhirUser is next of kin (their reach is decided on the data, policy.ts)', async () => {
    const p = await authenticate(`Bearer ${await sign({ fhirUser: 'RelatedPerson/r1', scope: 'patient/CarePlan.rs' })}`);
    expect(p.kind).toBe('relatedPerson');
    expect(p.fhirUser).toBe('RelatedPerson/r1');
  });

  it('organization that is not an Organization reference', async () => {
    await expectUnauthenticated(authenticate(`Bearer ${await sign({ organization: 'Practitioner/y' })}`), { error: 'invalid_token', description: /organization/ });
  });

  it('scope claim of the wrong type', async () => {
    await expectUnauthenticated(authenticate(`Bearer ${await sign({ scope: { a: 1 } })}`), { error: 'invalid_token', description: /scope/ });
  });
});

describe('the Authorization header', () => {
  it('missing → 401 with the bare challenge', async () => {
    const err = await expectUnauthenticated(authenticate(undefined));
    expect(err.outcome.issue[0]?.diagnostics).toMatch(/Authentication required/);
    await expectUnauthenticated(authenticate(''));
  });

  it('another scheme → 401 with the bare challenge (RFC 6750 §3.1)', async () => {
    await expectUnauthenticated(authenticate('Basic dXNlcjpwYXNz'));
    await expectUnauthenticated(authenticate('Bearertoken'));
  });

  it.each([
    ['Bearer', /malformed/],
    ['Bearer ', /malformed/],
    ['Bearer a b', /malformed/],
    ['Bearer "quoted"', /malformed/],
    ['Bearer not-a-jwt', /malformed/],
    ['Bearer a.b.c', /malformed/],
    ['Bearer ....', /malformed/],
  ])('malformed: %j → 401 invalid_token', async (header, description) => {
    await expectUnauthenticated(authenticate(header), { error: 'invalid_token', description });
  });

  it('an oversized token is refused before parsing', async () => {
    await expectUnauthenticated(authenticate(`Bearer ${'a'.repeat(20_000)}`), { error: 'invalid_token', description: /too large/ });
  });
});

describe('configuration', () => {
  it('refuses an HS256 secret shorter than 32 bytes', () => {
    expect(() => createAuthenticator({ hs256: { secret: 'short', issuer: ISSUER } })).toThrow(/32 bytes/);
  });

  it('refuses to start with no key source', () => {
    expect(() => createAuthenticator({})).toThrow(/HS256 secret or a JWKS URL/);
  });

  it('the clock can be injected', async () => {
    const token = await sign({ exp: now() + 60 });
    const later = createAuthenticator({ hs256: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE }, now: () => new Date(Date.now() + 3_600_000) });
    await expectUnauthenticated(later(`Bearer ${token}`), { error: 'invalid_token', description: /expired/ });
  });
});
