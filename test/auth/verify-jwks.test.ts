/** Bearer JWT verification against an identity provider's JWKS (RS256, ES256), served from 127.0.0.1. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { createAuthenticator, type Authenticator } from '../../src/auth/verify.ts';
import { mintDevToken } from '../../src/auth/tokens.ts';
import { FhirError } from '../../src/errors.ts';
import { expectUnauthenticated, serveJson, type JsonServer } from './support.ts';

const ISSUER = 'https://idp.example.se/realms/samplan';
const AUDIENCE = 'https://samplan.example.se/fhir';
const now = (): number => Math.floor(Date.now() / 1000);

interface Signer {
  kid: string;
  alg: 'RS256' | 'ES256' | 'RS384';
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signer(alg: Signer['alg'], kid: string): Promise<Signer> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, jwk };
}

function sign(s: Signer, claims: JWTPayload = {}): Promise<string> {
  const payload: JWTPayload = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'idp-user-1',
    iat: now(),
    exp: now() + 600,
    scope: 'openid fhirUser user/*.cruds',
    fhirUser: 'Practitioner/hsa-1',
    ...claims,
  };
  return new SignJWT(payload).setProtectedHeader({ alg: s.alg, kid: s.kid, typ: 'at+jwt' }).sign(s.privateKey);
}

let rsa: Signer;
let ec: Signer;
let rs384: Signer;
let stranger: Signer;
let server: JsonServer;
let authenticate: Authenticator;

beforeAll(async () => {
  rsa = await signer('RS256', 'rsa-1');
  ec = await signer('ES256', 'ec-1');
  rs384 = await signer('RS384', 'rsa-384');
  stranger = await signer('RS256', 'rsa-1'); // same kid, different key: not the IdP's
  server = await serveJson(() => ({ keys: [rsa.jwk, ec.jwk, rs384.jwk] }));
  authenticate = createAuthenticator({ jwks: { url: server.url, issuer: ISSUER, audience: AUDIENCE } });
});

afterAll(async () => {
  await server.close();
});

describe('JWKS: accepted tokens', () => {
  it('RS256', async () => {
    const p = await authenticate(`Bearer ${await sign(rsa, { organization: 'https://fhir.example.se/Organization/vgr' })}`);
    expect(p).toMatchObject({ kind: 'practitioner', sub: 'idp-user-1', fhirUser: 'Practitioner/hsa-1', organization: 'Organization/vgr', issuer: ISSUER });
  });

  it('ES256', async () => {
    const p = await authenticate(`Bearer ${await sign(ec, { fhirUser: 'Patient/p1', scope: 'patient/CarePlan.rs' })}`);
    expect(p).toMatchObject({ kind: 'patient', fhirUser: 'Patient/p1' });
  });

  it('system client (SMART Backend Services)', async () => {
    const p = await authenticate(`Bearer ${await sign(rsa, { fhirUser: undefined, scope: 'system/CarePlan.rs' })}`);
    expect(p.kind).toBe('system');
  });

  it('the key set is fetched once and cached', async () => {
    const before = server.requests();
    for (let i = 0; i < 3; i++) await authenticate(`Bearer ${await sign(ec)}`);
    expect(server.requests()).toBe(before);
  });
});

describe('JWKS: refused tokens', () => {
  it('wrong issuer', async () => {
    const token = await sign(rsa, { iss: 'https://other-idp.example' });
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /issuer/, token });
  });

  it('wrong audience', async () => {
    const token = await sign(ec, { aud: 'https://someone-else.example/fhir' });
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /audience/, token });
  });

  it('expired', async () => {
    const token = await sign(rsa, { exp: now() - 3600 });
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /expired/, token });
  });

  it('signed by a key the IdP does not publish (same kid)', async () => {
    const token = await sign(stranger);
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /signature/, token });
  });

  it('a kid the key set does not have', async () => {
    const token = await sign({ ...stranger, kid: 'unknown-kid' });
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /no known key/, token });
  });

  it('an algorithm outside the allow-list even when the JWKS has the key (RS384)', async () => {
    const token = await sign(rs384);
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /algorithm/, token });
  });

  it('HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const token = await new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'x', exp: now() + 600, scope: 'system/*.cruds' })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .sign(new TextEncoder().encode(pem));
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /algorithm/, token });
  });

  it('a development HS256 token is refused when only a JWKS is configured', async () => {
    const token = await mintDevToken('x'.repeat(40), { kind: 'system', issuer: ISSUER, audience: AUDIENCE });
    await expectUnauthenticated(authenticate(`Bearer ${token}`), { error: 'invalid_token', description: /algorithm/, token });
  });
});

describe('JWKS: key source problems are ours (503), not the caller’s', () => {
  it('the JWKS endpoint answers 500', async () => {
    const broken = await serveJson(() => ({ error: 'boom' }), 500);
    try {
      const auth = createAuthenticator({ jwks: { url: broken.url, issuer: ISSUER } });
      const err = await auth(`Bearer ${await sign(rsa)}`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FhirError);
      expect((err as FhirError).status).toBe(503);
    } finally {
      await broken.close();
    }
  });

  it('the JWKS endpoint is unreachable', async () => {
    const gone = await serveJson(() => ({ keys: [] }));
    await gone.close();
    const auth = createAuthenticator({ jwks: { url: gone.url, issuer: ISSUER, timeoutMs: 2000 } });
    const err = await auth(`Bearer ${await sign(rsa)}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirError);
    expect((err as FhirError).status).toBe(503);
  });
});

describe('HS256 and JWKS together', () => {
  it('accepts both kinds, each only with its own key source', async () => {
    const secret = 'y'.repeat(40);
    const auth = createAuthenticator({
      hs256: { secret, issuer: 'samplan' },
      jwks: { url: server.url, issuer: ISSUER, audience: AUDIENCE },
    });
    const local = await mintDevToken(secret, { kind: 'patient', fhirUser: 'Patient/p1', issuer: 'samplan' });
    await expect(auth(`Bearer ${local}`)).resolves.toMatchObject({ kind: 'patient', issuer: 'samplan' });
    await expect(auth(`Bearer ${await sign(ec)}`)).resolves.toMatchObject({ kind: 'practitioner', issuer: ISSUER });
    // A local token claiming the IdP's issuer is still checked against the local issuer.
    const spoof = await mintDevToken(secret, { kind: 'patient', fhirUser: 'Patient/p1', issuer: ISSUER });
    await expectUnauthenticated(auth(`Bearer ${spoof}`), { error: 'invalid_token', description: /issuer/ });
  });

  it('requires an issuer with a JWKS URL', () => {
    expect(() => createAuthenticator({ jwks: { url: server.url, issuer: '' } })).toThrow(/ISSUER/);
  });
});
