/**
 * The oidc-provider instance of the development identity provider.
 *
 * - Authorization code + PKCE (S256) only, for static public clients
 *   (`token_endpoint_auth_method: none`): what a SMART standalone launch with
 *   `fhirclient` does. No dynamic registration, no implicit flow.
 * - samplan's FHIR API is the one resource server (RFC 8707 resource
 *   indicators, defaulting to it, since SMART apps send `aud`, not
 *   `resource`): its access tokens are RS256 JWTs (RFC 9068) with `scope`,
 *   `aud` = the FHIR base, and `fhirUser` added by extraTokenClaims — the
 *   claims samplan's authenticator reads.
 * - The account id is the chosen record's reference (`Patient/p1`); it is
 *   also the `sub`, as in samplan's HS256 development tokens.
 * - Sessions, grants and codes live in oidc-provider's in-memory adapter:
 *   a restart signs everyone out, which is fine for development.
 */
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import Provider, { errors, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { parseReference } from '../references.ts';
import { SIGN_IN_TYPES } from './directory.ts';
import { messagePage } from './page.ts';
import type { DevIdpKeys } from './keys.ts';
import { OIDC_SCOPES, RESOURCE_SCOPES } from './scopes.ts';

export interface ProviderOptions {
  /** `http://localhost:8080/dev-idp`. */
  issuer: string;
  /** samplan's FHIR base, the access tokens' audience. */
  fhirBase: string;
  keys: DevIdpKeys;
  /** Where samplan's web apps live (their redirect URIs are under it): the public origin. */
  appOrigin: string;
}

export const ACCESS_TOKEN_TTL_SECONDS = 3600;

/** The development clients: samplan's own web apps, public (they run in the browser and hold no secret). */
export function devClients(appOrigin: string): Configuration['clients'] {
  const client = (id: string, path: string): ClientMetadata => ({
    client_id: id,
    client_name: id,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [`${appOrigin}${path}`, `${appOrigin}${path}callback`],
  });
  return [client('samplan-app', '/app/'), client('samplan-team', '/team/')];
}

function fhirUserOf(accountId: string, fhirBase: string): string | undefined {
  const ref = parseReference(accountId);
  if (!ref || !(SIGN_IN_TYPES as readonly string[]).includes(ref.type)) return undefined;
  // SMART: fhirUser is the URL of the person's resource.
  return `${fhirBase}/${ref.type}/${ref.id}`;
}

export function createProvider(o: ProviderOptions): Provider {
  const configuration: Configuration = {
    clients: devClients(o.appOrigin),
    jwks: o.keys.signing,
    // Signed cookies; a new key per start is fine, the sessions are in memory anyway.
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: [...OIDC_SCOPES],
    claims: { openid: ['sub'], fhirUser: ['fhirUser'] },
    // Put `fhirUser` into the id_token itself (SMART reads it there), not only into userinfo.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    // Browser apps call the token endpoint cross-origin only from where their redirect URIs are.
    clientBasedCORS: (_ctx, origin, client) => (client.redirectUris ?? []).some((uri) => URL.canParse(uri) && new URL(uri).origin === origin),
    // Errors shown to the browser (a bad redirect_uri, an unknown client): our page, no details of the request echoed.
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = messagePage('Sign-in failed', `${String(out['error'] ?? 'error')}: ${String(out['error_description'] ?? '')}`);
    },
    async findAccount(_ctx, sub) {
      const fhirUser = fhirUserOf(sub, o.fhirBase);
      if (!fhirUser) return undefined;
      return { accountId: sub, claims: () => ({ sub, fhirUser }) };
    },
    async extraTokenClaims(_ctx, token) {
      const fhirUser = 'accountId' in token && typeof token.accountId === 'string' ? fhirUserOf(token.accountId, o.fhirBase) : undefined;
      return fhirUser ? { fhirUser } : undefined;
    },
    interactions: { url: (_ctx, interaction) => `${new URL(o.issuer).pathname}/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => o.fhirBase,
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, indicator) {
          if (indicator !== o.fhirBase) throw new errors.InvalidTarget('the only resource here is samplan\'s FHIR API');
          return {
            scope: RESOURCE_SCOPES.join(' '),
            audience: o.fhirBase,
            accessTokenFormat: 'jwt',
            accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    ttl: { AccessToken: ACCESS_TOKEN_TTL_SECONDS, AuthorizationCode: 60, IdToken: ACCESS_TOKEN_TTL_SECONDS, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
  };
  const provider = new Provider(o.issuer, configuration);
  // Behind a TLS-terminating proxy (an https SAMPLAN_PUBLIC_URL) the endpoints must read X-Forwarded-Proto
  // to see https; koa then trusts those headers from any client, so only then, and only in development.
  provider.proxy = new URL(o.issuer).protocol === 'https:';
  // SMART "launch/patient" in a standalone launch: the token response names the patient in context.
  // A patient's own sign-in is the only case where the provider knows which patient that is without asking.
  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    if (ctx.oidc?.route !== 'token' || ctx.status !== 200) return;
    const body = ctx.body as Record<string, unknown> | undefined;
    const token = body?.['access_token'];
    if (typeof token !== 'string') return;
    const fhirUser = decodeJwt(token)['fhirUser'];
    const ref = typeof fhirUser === 'string' ? parseReference(fhirUser) : undefined;
    if (ref?.type === 'Patient') body!['patient'] = ref.id;
  });
  return provider;
}
