/**
 * Bearer-token challenges (RFC 6750 §3) carried on FhirError headers.
 * https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
import { FhirError } from '../errors.ts';

export const REALM = 'samplan';

/** RFC 6750 §3.1 error codes. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/**
 * RFC 6750 §3: `error_description` and `scope` values are restricted to
 * %x20-21 / %x23-5B / %x5D-7E (printable ASCII without `"` and `\`).
 */
function quotable(value: string): string {
  return value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, ' ').slice(0, 200);
}

/** The `WWW-Authenticate` value: `Bearer realm="samplan"[, error="…", error_description="…"][, scope="…"]`. */
export function bearerChallenge(error?: BearerErrorCode, description?: string, scope?: string, realm = REALM): string {
  const parts = [`Bearer realm="${quotable(realm)}"`];
  if (error) parts.push(`error="${error}"`);
  if (error && description) parts.push(`error_description="${quotable(description)}"`);
  if (scope) parts.push(`scope="${quotable(scope)}"`);
  return parts.join(', ');
}

/**
 * 401 for a request without usable bearer credentials. With no `description`
 * this is the bare challenge RFC 6750 §3.1 asks for when the request carried no
 * authentication information ("SHOULD NOT include an error code").
 */
export function unauthenticated(description?: string, realm = REALM): FhirError {
  const challenge = description ? bearerChallenge('invalid_token', description, undefined, realm) : bearerChallenge(undefined, undefined, undefined, realm);
  return new FhirError(
    'unauthenticated',
    { diagnostics: description ? `Bearer token rejected: ${description}` : 'Authentication required: send a bearer token' },
    { 'WWW-Authenticate': challenge },
  );
}

/**
 * 403 when the token is valid but its scopes do not cover the interaction
 * (RFC 6750 §3.1 `insufficient_scope`). Use only where existence is not a secret;
 * another patient's record must read as 404 instead (issue 5).
 */
export function insufficientScope(requiredScope: string, diagnostics?: string, realm = REALM): FhirError {
  return new FhirError(
    'forbidden',
    { diagnostics: diagnostics ?? `The token's scopes do not allow this; it needs ${requiredScope}` },
    { 'WWW-Authenticate': bearerChallenge('insufficient_scope', 'scope does not allow this interaction', requiredScope, realm) },
  );
}
