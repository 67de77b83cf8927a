/**
 * Whether the development identity provider runs, and where — kept apart from
 * index.ts so that main.ts can decide without loading oidc-provider at all:
 * with an external provider or in production the module is never imported.
 */

/** Where it is mounted. */
export const DEV_IDP_PATH = '/dev-idp';

/** Only when there is no external provider and this is not production (DESIGN.md "An identity provider"). */
export function devIdpWanted(env: Record<string, string | undefined>): boolean {
  return !env['SAMPLAN_JWKS_URL']?.trim() && env['NODE_ENV'] !== 'production';
}

/** The origin samplan is reached at: SAMPLAN_PUBLIC_URL without its `/fhir`, else localhost on the port. */
export function publicOrigin(publicUrl: string | undefined, port: number): string {
  if (!publicUrl) return `http://localhost:${port}`;
  return new URL(publicUrl.replace(/\/fhir\/?$/, '') || publicUrl).href.replace(/\/$/, '');
}
