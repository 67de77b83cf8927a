/**
 * Bearer JWT authentication (DESIGN.md "Auth contract"): the `Authorization`
 * header in, a Principal out, or a FhirError.
 *
 * - Credentials: `Authorization: Bearer <token>` (RFC 6750 §2.1).
 * - Signatures: HS256 with a shared secret, and/or RS256 / ES256 with keys from a
 *   JWKS URL, and/or RS256 with a local key set (the development identity
 *   provider's public keys, auth/dev-idp), chosen by the token's `iss`. Each key source has its own algorithm allow-list, so an HS256 token
 *   can never be checked against a JWKS (public) key and `alg: none` is never
 *   accepted (RFC 8725 §3.1, §3.2). All JOSE work is done by `jose`.
 * - Claims: `iss` must match, `aud` must match when an audience is configured,
 *   `exp` is required, `exp`/`nbf` checked with a small clock tolerance
 *   (RFC 7519 §4.1.4, §4.1.5), `sub` required.
 * - Failures: 401 with `WWW-Authenticate: Bearer realm="samplan", error="invalid_token",
 *   error_description="…"` (RFC 6750 §3); a missing header (or another scheme)
 *   gets the bare challenge without an error code (RFC 6750 §3.1). Diagnostics
 *   never echo the token. When the identity provider's key set cannot be fetched
 *   the fault is ours, not the caller's: 503.
 */
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { FhirError } from '../errors.ts';
import type { Principal } from './principal.ts';
import { ClaimsError, principalFromClaims } from './claims.ts';
import { REALM, unauthenticated } from './challenge.ts';

export type JwksAlgorithm = 'RS256' | 'ES256';

export interface Hs256Config {
  /** Shared secret; its UTF-8 bytes are the key. At least 32 bytes (RFC 7518 §3.2). */
  secret: string | Uint8Array;
  /** Expected `iss`. */
  issuer: string;
  /** Expected `aud` (any of), when set. */
  audience?: string | string[];
}

export interface JwksConfig {
  /** The identity provider's JWKS URL. */
  url: string | URL;
  /** Expected `iss`: required, a JWKS alone says nothing about who issued the token. */
  issuer: string;
  /** Expected `aud` (any of), when set. */
  audience?: string | string[];
  /** Allowed signature algorithms; default RS256 and ES256. */
  algorithms?: JwksAlgorithm[];
  /** Timeout for fetching the key set, ms (default 5000). */
  timeoutMs?: number;
}

/** A key set held in memory: the development identity provider's public keys (RS256 only). */
export interface LocalJwksConfig {
  keys: JSONWebKeySet;
  /** Its issuer: tokens with this `iss` are checked against these keys, and only these. */
  issuer: string;
  audience?: string | string[];
}

export interface AuthenticatorConfig {
  hs256?: Hs256Config;
  jwks?: JwksConfig;
  localJwks?: LocalJwksConfig;
  /** Seconds of clock skew allowed on `exp` and `nbf`; default 30. */
  clockToleranceSeconds?: number;
  /** Realm in the challenge; default `samplan`. */
  realm?: string;
  /** Clock, for tests. */
  now?: () => Date;
}

export type Authenticator = (authorizationHeader: string | undefined) => Promise<Principal>;

/** Larger tokens are refused before any parsing (headers are usually capped near 8 kB anyway). */
const MAX_TOKEN_LENGTH = 16_384;

/** RFC 6750 §2.1: `Bearer` 1*SP b64token. The scheme is case-insensitive (RFC 9110 §11.1). */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const SCHEME = /^([A-Za-z0-9!#$%&'*+\-.^_`|~]+)(?: |$)/;

const DEFAULT_JWKS_ALGORITHMS: readonly JwksAlgorithm[] = ['RS256', 'ES256'];
const HS_MIN_KEY_BYTES = 32;

function secretBytes(secret: string | Uint8Array): Uint8Array {
  return typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
}

/** What went wrong, in words that are safe to send back (no token content). */
function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'nbf':
        return 'the token is not valid yet';
      case 'iss':
        return 'the token was issued by an issuer samplan does not trust';
      case 'aud':
        return 'the token is not meant for this audience';
      case 'exp':
      case 'sub':
        return err.reason === 'missing' ? `the token has no ${err.claim} claim` : `the ${err.claim} claim is invalid`;
      default:
        return 'a token claim is invalid';
    }
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return 'the signing algorithm is not accepted';
  if (err instanceof errors.JWKSNoMatchingKey) return 'no known key matches the token';
  if (err instanceof errors.JWKSMultipleMatchingKeys) return 'the token does not say which key signed it';
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return 'the token is malformed';
  if (err instanceof ClaimsError) return err.message;
  return 'the token could not be verified';
}

/** Failures fetching or reading the identity provider's key set: ours, not the caller's. */
function isKeySourceFailure(err: unknown): boolean {
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return true;
  if (err instanceof errors.JOSEError) return err.code === 'ERR_JOSE_GENERIC'; // non-200 or non-JSON JWKS response
  return !(err instanceof ClaimsError); // fetch() network errors (TypeError) and the like
}

export function createAuthenticator(config: AuthenticatorConfig): Authenticator {
  const realm = config.realm ?? REALM;
  const clockTolerance = config.clockToleranceSeconds ?? 30;
  if (!config.hs256 && !config.jwks && !config.localJwks) throw new Error('auth: configure an HS256 secret or a JWKS URL');

  let hsKey: Uint8Array | undefined;
  if (config.hs256) {
    hsKey = secretBytes(config.hs256.secret);
    if (hsKey.length < HS_MIN_KEY_BYTES) throw new Error(`auth: the HS256 secret must be at least ${HS_MIN_KEY_BYTES} bytes`);
    if (!config.hs256.issuer) throw new Error('auth: the HS256 issuer must be set');
  }

  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  let jwksAlgorithms: readonly JwksAlgorithm[] = [];
  if (config.jwks) {
    const url = new URL(config.jwks.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('auth: the JWKS URL must be http(s)');
    if (!config.jwks.issuer) throw new Error('auth: SAMPLAN_JWT_ISSUER is required with a JWKS URL');
    jwksAlgorithms = config.jwks.algorithms ?? DEFAULT_JWKS_ALGORITHMS;
    jwks = createRemoteJWKSet(url, config.jwks.timeoutMs === undefined ? {} : { timeoutDuration: config.jwks.timeoutMs });
  }

  const local = config.localJwks ? createLocalJWKSet(config.localJwks.keys) : undefined;
  /** The unverified `iss`, only to pick the key source; the verification then checks it again. */
  const claimedIssuer = (token: string): unknown => {
    try {
      return decodeJwt(token).iss;
    } catch {
      return undefined;
    }
  };

  function options(issuer: string, audience: string | string[] | undefined, algorithms: string[]): JWTVerifyOptions {
    const o: JWTVerifyOptions = {
      algorithms,
      issuer,
      clockTolerance,
      // exp is optional in RFC 7519, but a token that never expires is not acceptable here.
      requiredClaims: ['exp', 'sub'],
    };
    if (audience !== undefined) o.audience = audience;
    if (config.now) o.currentDate = config.now();
    return o;
  }

  return async function authenticate(header: string | undefined): Promise<Principal> {
    if (header === undefined || header.trim() === '') throw unauthenticated(undefined, realm);
    const scheme = SCHEME.exec(header.trim());
    if (!scheme || scheme[1]!.toLowerCase() !== 'bearer') throw unauthenticated(undefined, realm);
    const m = BEARER.exec(header.trim());
    if (!m) throw unauthenticated('malformed bearer credentials', realm);
    const token = m[1]!;
    if (token.length > MAX_TOKEN_LENGTH) throw unauthenticated('the token is too large', realm);

    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw unauthenticated('the token is malformed', realm);
    }

    let payload: JWTPayload;
    if (alg === 'HS256' && hsKey && config.hs256) {
      try {
        ({ payload } = await jwtVerify(token, hsKey, options(config.hs256.issuer, config.hs256.audience, ['HS256'])));
      } catch (err) {
        throw unauthenticated(describe(err), realm);
      }
    } else if (alg === 'RS256' && local && config.localJwks && claimedIssuer(token) === config.localJwks.issuer) {
      try {
        ({ payload } = await jwtVerify(token, local, options(config.localJwks.issuer, config.localJwks.audience, ['RS256'])));
      } catch (err) {
        throw unauthenticated(describe(err), realm);
      }
    } else if (jwks && config.jwks && typeof alg === 'string' && (jwksAlgorithms as readonly string[]).includes(alg)) {
      try {
        ({ payload } = await jwtVerify(token, jwks, options(config.jwks.issuer, config.jwks.audience, [...jwksAlgorithms])));
      } catch (err) {
        if (isKeySourceFailure(err)) {
          throw new FhirError('unavailable', { diagnostics: "The identity provider's signing keys cannot be fetched; try again later" });
        }
        throw unauthenticated(describe(err), realm);
      }
    } else {
      throw unauthenticated('the signing algorithm is not accepted', realm);
    }

    try {
      return principalFromClaims(payload);
    } catch (err) {
      throw unauthenticated(describe(err), realm);
    }
  };
}
