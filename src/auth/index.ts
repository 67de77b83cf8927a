/**
 * samplan auth: who is calling (verify), what their token allows (scopes), and
 * the data-only decisions the store makes on what it loads (membership).
 * DESIGN.md "Auth contract"; issue 5.
 */
export type { CallContext, Interaction, Principal, PrincipalKind, ScopeGrant } from './principal.ts';
export { servicePrincipal } from './principal.ts';
export { ownerKey } from './owner.ts';

export { ADMIN_SCOPE, AGREE_SCOPE, NOTIFY_SCOPE, INTERACTIONS, hasScope, parseScope, parseScopes, permits, permittedInteractions, scopeContextFor, scopeTokens } from './scopes.ts';

export { createAuthenticator } from './verify.ts';
export type { Authenticator, AuthenticatorConfig, Hs256Config, JwksAlgorithm, JwksConfig, LocalJwksConfig } from './verify.ts';
export { ClaimsError, principalFromClaims } from './claims.ts';
export { REALM, bearerChallenge, insufficientScope, unauthenticated } from './challenge.ts';
export type { BearerErrorCode } from './challenge.ts';

export { CLOSED_TEAM_STATUS, dateRange, isActiveParticipant, isPatientOf, periodCovers, subjectOf } from './membership.ts';
export { normaliseReference, parseReference, sameReference } from './references.ts';
export type { ParsedReference } from './references.ts';

export { SAMPLAN_CAPABILITIES, SAMPLAN_SCOPES, smartConfiguration } from './smart-configuration.ts';
export type { SmartConfiguration, SmartConfigurationInput } from './smart-configuration.ts';

export { DEFAULT_SCOPES, DEFAULT_TTL_SECONDS, mintDevToken } from './tokens.ts';
export type { DevTokenOptions } from './tokens.ts';
export { DEV_SECRET_FILE, devSecretPath, loadOrCreateDevSecret } from './dev-secret.ts';
export { DEFAULT_LOCAL_ISSUER, authSettingsFromEnv, dataDirFrom } from './settings.ts';
export type { AuthSettings } from './settings.ts';
