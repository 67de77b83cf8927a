/**
 * The `/.well-known/smart-configuration` document (SMART App Launch 2.x,
 * "Conformance"): https://hl7.org/fhir/smart-app-launch/conformance.html#using-well-known
 * Served as `application/json` whatever the Accept header says, without authentication.
 *
 * samplan is a resource server, not an authorization server: it issues no tokens
 * over OAuth. So the document states two kinds of facts and no more:
 * - what samplan itself enforces: SMART v1 and v2 scope syntax
 *   (`permission-v1`, `permission-v2`) on patient- and user-level scopes
 *   (`permission-patient`, `permission-user`), and the scopes it honours;
 * - what the configured external identity provider does: its endpoints, grant
 *   types, client authentication and launch capabilities (`launch-standalone`,
 *   `client-confidential-asymmetric`, `sso-openid-connect`, …). These come from
 *   configuration and are published only when a token endpoint is configured,
 *   because they all describe that endpoint. In development without an external
 *   provider, that provider is samplan's own under `/dev-idp` (auth/dev-idp),
 *   and main.ts passes its endpoints here the same way.
 *
 * Notes on the spec's conditional fields:
 * - `issuer` is "required if the server's capabilities include sso-openid-connect;
 *   otherwise, omitted", so it appears only with that capability.
 * - `token_endpoint`, `grant_types_supported` and `code_challenge_methods_supported`
 *   are REQUIRED for a SMART server; without an external IdP (development with the
 *   local HS256 secret) there is no OAuth endpoint and the document says so by
 *   omitting them rather than inventing one.
 * - `code_challenge_methods_supported` SHALL include `S256` and SHALL NOT include `plain`.
 * - `permission-v2` also names the granular `?param=value` scope form; samplan does
 *   not enforce those constraints and therefore ignores such scopes (grants less,
 *   never more). See scopes.ts.
 */
import { ADMIN_SCOPE, AGREE_SCOPE, NOTIFY_SCOPE } from './scopes.ts';

export interface SmartConfigurationInput {
  /** The IdP's OpenID Connect issuer; published only with `sso-openid-connect`. */
  issuer?: string;
  /** The IdP's JWKS URL (same as SAMPLAN_JWKS_URL). */
  jwksUri?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  introspectionEndpoint?: string;
  revocationEndpoint?: string;
  managementEndpoint?: string;
  registrationEndpoint?: string;
  /** e.g. `authorization_code`, `client_credentials`. Default: `authorization_code` with an authorization endpoint, else `client_credentials`. */
  grantTypesSupported?: string[];
  /** e.g. `private_key_jwt`, `client_secret_basic`. */
  tokenEndpointAuthMethodsSupported?: string[];
  /** Default `['S256']` when an authorization endpoint is configured. `plain` is always dropped. */
  codeChallengeMethodsSupported?: string[];
  /** Capabilities of the IdP (launch-*, client-*, sso-openid-connect, context-*, permission-offline, …). */
  idpCapabilities?: string[];
  /** More scopes the IdP grants and samplan honours (e.g. `launch/patient`). */
  extraScopes?: string[];
}

export interface SmartConfiguration {
  issuer?: string;
  jwks_uri?: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
  grant_types_supported?: string[];
  registration_endpoint?: string;
  scopes_supported: string[];
  response_types_supported?: string[];
  management_endpoint?: string;
  introspection_endpoint?: string;
  revocation_endpoint?: string;
  capabilities: string[];
  code_challenge_methods_supported?: string[];
}

/** What samplan enforces itself, whatever the IdP. */
export const SAMPLAN_CAPABILITIES: readonly string[] = ['permission-v1', 'permission-v2', 'permission-patient', 'permission-user'];

/** Scopes samplan honours (others of the same grammar are honoured too; this is not exhaustive). */
export const SAMPLAN_SCOPES: readonly string[] = [
  'patient/CarePlan.rs',
  'patient/CareTeam.rs',
  'patient/Goal.rs',
  'patient/*.rs',
  AGREE_SCOPE,
  ADMIN_SCOPE,
  NOTIFY_SCOPE,
  'user/*.cruds',
  'user/*.rs',
  'system/*.cruds',
  'system/*.rs',
];

function unique(list: Iterable<string>): string[] {
  return [...new Set([...list].map((s) => s.trim()).filter((s) => s.length > 0))];
}

export function smartConfiguration(input: SmartConfigurationInput = {}): SmartConfiguration {
  const hasIdp = Boolean(input.tokenEndpoint);
  const idpCaps = hasIdp ? unique(input.idpCapabilities ?? []) : [];
  const sso = idpCaps.includes('sso-openid-connect');

  const scopes = [...SAMPLAN_SCOPES];
  if (sso) scopes.push('openid', 'fhirUser');
  scopes.push(...(input.extraScopes ?? []));

  const doc: SmartConfiguration = {
    scopes_supported: unique(scopes),
    capabilities: unique([...SAMPLAN_CAPABILITIES, ...idpCaps]),
  };
  if (sso && input.issuer) doc.issuer = input.issuer;
  if (input.jwksUri) doc.jwks_uri = input.jwksUri;
  if (!hasIdp) return doc;

  doc.token_endpoint = input.tokenEndpoint!;
  if (input.authorizationEndpoint) {
    doc.authorization_endpoint = input.authorizationEndpoint;
    doc.response_types_supported = ['code'];
    const methods = unique(input.codeChallengeMethodsSupported ?? ['S256']).filter((m) => m !== 'plain');
    doc.code_challenge_methods_supported = methods.includes('S256') ? methods : ['S256', ...methods];
  }
  // SMART knows two grants: authorization_code (App Launch) and client_credentials
  // (Backend Services). Without configuration, an IdP with an authorization
  // endpoint is taken to do App Launch, one with only a token endpoint Backend Services.
  const grants = input.grantTypesSupported ?? [input.authorizationEndpoint ? 'authorization_code' : 'client_credentials'];
  if (grants.length > 0) doc.grant_types_supported = unique(grants);
  if (input.tokenEndpointAuthMethodsSupported?.length) doc.token_endpoint_auth_methods_supported = unique(input.tokenEndpointAuthMethodsSupported);
  if (input.registrationEndpoint) doc.registration_endpoint = input.registrationEndpoint;
  if (input.managementEndpoint) doc.management_endpoint = input.managementEndpoint;
  if (input.introspectionEndpoint) doc.introspection_endpoint = input.introspectionEndpoint;
  if (input.revocationEndpoint) doc.revocation_endpoint = input.revocationEndpoint;
  return doc;
}
