/**
 * Auth configuration from the environment (DESIGN.md "Auth contract"), shared by
 * `npm start` and `npm run token` so that both agree on secret, issuer and audience.
 *
 *   SAMPLAN_JWT_SECRET          HS256 shared secret (≥ 32 bytes)
 *   SAMPLAN_JWKS_URL            identity provider's JWKS (RS256 / ES256)
 *   SAMPLAN_JWT_ISSUER          expected `iss`; required with SAMPLAN_JWKS_URL;
 *                               for HS256 tokens too (default `samplan`)
 *   SAMPLAN_JWT_AUDIENCE        expected `aud` (comma-separated: any of), optional
 *   SAMPLAN_JWT_CLOCK_TOLERANCE seconds of skew on exp/nbf, default 30
 *   SAMPLAN_DATA_DIR            data folder (default ./data) holding `jwt-secret`
 *
 * With neither SAMPLAN_JWT_SECRET nor SAMPLAN_JWKS_URL, a development secret is
 * loaded from (or generated into) `<SAMPLAN_DATA_DIR>/jwt-secret`. With a JWKS URL
 * and no secret, HS256 is off: nobody holding a file on disk can mint tokens.
 *
 * For `/.well-known/smart-configuration`, describing an external IdP:
 *   SAMPLAN_OAUTH_AUTHORIZATION_ENDPOINT, SAMPLAN_OAUTH_TOKEN_ENDPOINT,
 *   SAMPLAN_OAUTH_INTROSPECTION_ENDPOINT, SAMPLAN_OAUTH_REVOCATION_ENDPOINT,
 *   SAMPLAN_OAUTH_MANAGEMENT_ENDPOINT, SAMPLAN_OAUTH_REGISTRATION_ENDPOINT,
 *   SAMPLAN_OAUTH_GRANT_TYPES, SAMPLAN_OAUTH_TOKEN_AUTH_METHODS,
 *   SAMPLAN_SMART_CAPABILITIES (the IdP's: launch-standalone, client-confidential-asymmetric, …),
 *   SAMPLAN_SMART_SCOPES (extra scopes to list). Lists are comma- or space-separated.
 */
import { existsSync } from 'node:fs';
import type { AuthenticatorConfig } from './verify.ts';
import type { SmartConfigurationInput } from './smart-configuration.ts';
import { devSecretPath, loadOrCreateDevSecret } from './dev-secret.ts';

export const DEFAULT_LOCAL_ISSUER = 'samplan';

export interface AuthSettings {
  authenticator: AuthenticatorConfig;
  smart: SmartConfigurationInput;
  /** Set when the HS256 secret is the development one from the data folder. */
  devSecret?: { file: string; created: boolean };
}

type Env = Record<string, string | undefined>;

function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function list(env: Env, name: string): string[] | undefined {
  const v = value(env, name);
  return v ? v.split(/[\s,]+/).filter((s) => s.length > 0) : undefined;
}

function audience(env: Env): string | string[] | undefined {
  const l = list(env, 'SAMPLAN_JWT_AUDIENCE');
  if (!l) return undefined;
  return l.length === 1 ? l[0] : l;
}

export function dataDirFrom(env: Env): string {
  return value(env, 'SAMPLAN_DATA_DIR') ?? './data';
}

/**
 * Build the auth settings. Side effect: may create `<data dir>/jwt-secret`.
 * Throws Error on inconsistent configuration (start-up should stop).
 */
export function authSettingsFromEnv(env: Env = process.env): AuthSettings {
  const jwksUrl = value(env, 'SAMPLAN_JWKS_URL');
  const issuer = value(env, 'SAMPLAN_JWT_ISSUER');
  const aud = audience(env);
  const toleranceText = value(env, 'SAMPLAN_JWT_CLOCK_TOLERANCE');
  const tolerance = toleranceText === undefined ? 30 : Number(toleranceText);
  if (!Number.isInteger(tolerance) || tolerance < 0 || tolerance > 300) throw new Error('SAMPLAN_JWT_CLOCK_TOLERANCE must be whole seconds between 0 and 300');

  const authenticator: AuthenticatorConfig = { clockToleranceSeconds: tolerance };
  const settings: AuthSettings = { authenticator, smart: {} };

  if (jwksUrl) {
    if (!issuer) throw new Error('SAMPLAN_JWT_ISSUER is required with SAMPLAN_JWKS_URL');
    authenticator.jwks = { url: jwksUrl, issuer };
    if (aud !== undefined) authenticator.jwks.audience = aud;
  }

  let secret = value(env, 'SAMPLAN_JWT_SECRET');
  if (!secret && !jwksUrl) {
    const dataDir = dataDirFrom(env);
    const file = devSecretPath(dataDir);
    const created = !existsSync(file);
    secret = loadOrCreateDevSecret(dataDir);
    settings.devSecret = { file, created };
  }
  if (secret) {
    authenticator.hs256 = { secret, issuer: issuer ?? DEFAULT_LOCAL_ISSUER };
    if (aud !== undefined) authenticator.hs256.audience = aud;
  }

  const smart: SmartConfigurationInput = settings.smart;
  const set = <K extends keyof SmartConfigurationInput>(key: K, v: SmartConfigurationInput[K] | undefined): void => {
    if (v !== undefined) smart[key] = v;
  };
  set('issuer', issuer);
  set('jwksUri', jwksUrl);
  set('authorizationEndpoint', value(env, 'SAMPLAN_OAUTH_AUTHORIZATION_ENDPOINT'));
  set('tokenEndpoint', value(env, 'SAMPLAN_OAUTH_TOKEN_ENDPOINT'));
  set('introspectionEndpoint', value(env, 'SAMPLAN_OAUTH_INTROSPECTION_ENDPOINT'));
  set('revocationEndpoint', value(env, 'SAMPLAN_OAUTH_REVOCATION_ENDPOINT'));
  set('managementEndpoint', value(env, 'SAMPLAN_OAUTH_MANAGEMENT_ENDPOINT'));
  set('registrationEndpoint', value(env, 'SAMPLAN_OAUTH_REGISTRATION_ENDPOINT'));
  set('grantTypesSupported', list(env, 'SAMPLAN_OAUTH_GRANT_TYPES'));
  set('tokenEndpointAuthMethodsSupported', list(env, 'SAMPLAN_OAUTH_TOKEN_AUTH_METHODS'));
  set('idpCapabilities', list(env, 'SAMPLAN_SMART_CAPABILITIES'));
  set('extraScopes', list(env, 'SAMPLAN_SMART_SCOPES'));
  return settings;
}
