/**
 * The development identity provider (DESIGN.md "An identity provider"): an
 * OpenID provider under `/dev-idp`, on only for `npm start` without an
 * external provider outside production (main.ts decides). It signs RS256
 * tokens with a key kept in the data folder; samplan trusts that key only
 * while the provider is on, so a token it signed is refused once an external
 * provider is configured or in production.
 */
import type express from 'express';
import type { JSONWebKeySet } from 'jose';
import type { FhirServices } from '../../fhir/types.ts';
import type { SmartConfigurationInput } from '../smart-configuration.ts';
import { loadOrCreateDevIdpKeys } from './keys.ts';
import { createProvider } from './provider.ts';
import { devIdpRouter } from './router.ts';
import { OIDC_SCOPES } from './scopes.ts';
import { DEV_IDP_PATH } from './wanted.ts';

export { DEV_IDP_KEY_FILE } from './keys.ts';
export { OIDC_SCOPES, RESOURCE_SCOPES } from './scopes.ts';
export { DEV_IDP_PATH, devIdpWanted, publicOrigin } from './wanted.ts';


export interface DevIdpOptions {
  /** The public origin, e.g. `http://localhost:8080` (SAMPLAN_PUBLIC_URL without `/fhir`). */
  origin: string;
  /** samplan's FHIR base, e.g. `http://localhost:8080/fhir`: the audience of its access tokens. */
  fhirBase: string;
  dataDir: string;
  services: FhirServices;
}

export interface DevIdp {
  issuer: string;
  /** Mount at DEV_IDP_PATH. */
  router: express.Router;
  /** The public keys, for samplan's authenticator (a local key set). */
  jwks: JSONWebKeySet;
  /** For `/.well-known/smart-configuration`. */
  smart: SmartConfigurationInput;
}

export async function createDevIdp(o: DevIdpOptions): Promise<DevIdp> {
  const issuer = `${o.origin}${DEV_IDP_PATH}`;
  const keys = await loadOrCreateDevIdpKeys(o.dataDir);
  const provider = createProvider({ issuer, fhirBase: o.fhirBase, keys, appOrigin: o.origin });
  return {
    issuer,
    router: devIdpRouter({ provider, services: o.services, fhirBase: o.fhirBase, mountPath: DEV_IDP_PATH }),
    jwks: keys.public,
    smart: {
      issuer,
      jwksUri: `${issuer}/jwks`,
      authorizationEndpoint: `${issuer}/auth`,
      tokenEndpoint: `${issuer}/token`,
      grantTypesSupported: ['authorization_code'],
      codeChallengeMethodsSupported: ['S256'],
      tokenEndpointAuthMethodsSupported: ['none'],
      idpCapabilities: ['launch-standalone', 'client-public', 'sso-openid-connect', 'context-standalone-patient'],
      // offline_access is accepted but never honoured (no refresh tokens for these clients): not advertised.
      extraScopes: OIDC_SCOPES.filter((s) => s !== 'offline_access'),
    },
  };
}
