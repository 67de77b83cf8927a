/**
 * Verified JWT claims → Principal. Runs only after the signature, issuer,
 * audience and times have been checked (verify.ts).
 *
 * - `sub` (RFC 7519 §4.1.2) is required: audit needs someone to name.
 * - `scope` is the space-delimited scope string (RFC 9068 §2.2.3 / RFC 8693 §4.2);
 *   an array of strings is accepted too, because some identity providers emit one.
 * - `fhirUser` (SMART, "Scopes for requesting identity data") decides the kind:
 *   `Patient/…` → patient; `RelatedPerson/…` → relatedPerson (next of kin);
 *   `Practitioner/…` or `PractitionerRole/…` → practitioner.
 *   SMART also allows `Person`; samplan has no rules for it, so such tokens are
 *   refused rather than guessed at.
 * - No `fhirUser` and at least one `system/` scope → system (SMART Backend Services).
 * - `organization` (`Organization/…`), for practitioners only.
 */
import type { JWTPayload } from 'jose';
import type { Principal } from './principal.ts';
import { ADMIN_SCOPE, NOTIFY_SCOPE, parseScopes, scopeTokens } from './scopes.ts';
import { normaliseReference, parseReference } from './references.ts';

/** Why the claims are not usable; the message is safe to show the caller (no token content). */
export class ClaimsError extends Error {
  override readonly name = 'ClaimsError';
}

const USER_KINDS: Record<string, Principal['kind']> = {
  Patient: 'patient',
  RelatedPerson: 'relatedPerson',
  Practitioner: 'practitioner',
  PractitionerRole: 'practitioner',
};

function readScope(payload: JWTPayload): string {
  const raw = payload['scope'];
  if (raw === undefined) return '';
  if (typeof raw === 'string') return scopeTokens(raw).join(' ');
  if (Array.isArray(raw) && raw.every((s): s is string => typeof s === 'string')) return scopeTokens(raw).join(' ');
  throw new ClaimsError('the scope claim must be a space-delimited string');
}

export function principalFromClaims(payload: JWTPayload): Principal {
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub.length === 0) throw new ClaimsError('the token has no sub claim');

  const scope = readScope(payload);
  const scopes = parseScopes(scope);

  const rawUser = payload['fhirUser'];
  let fhirUser: string | undefined;
  let kind: Principal['kind'];
  if (rawUser !== undefined) {
    const ref = typeof rawUser === 'string' ? parseReference(rawUser) : undefined;
    if (!ref) throw new ClaimsError('fhirUser is not a FHIR reference');
    const k = USER_KINDS[ref.type];
    if (!k) throw new ClaimsError(`fhirUser of type ${ref.type} is not supported`);
    kind = k;
    fhirUser = `${ref.type}/${ref.id}`;
  } else if (scopes.some((g) => g.context === 'system') || scopeTokens(scope).some((t) => t === ADMIN_SCOPE || t === NOTIFY_SCOPE)) {
    // A client with a service scope alone (e.g. the sync server's Subscription, NOTIFY_SCOPE) is a system client too.
    kind = 'system';
  } else {
    throw new ClaimsError('the token names no fhirUser and grants no system scopes');
  }

  const principal: Principal = { kind, sub, scopes, scope };
  if (fhirUser) principal.fhirUser = fhirUser;
  if (typeof payload.iss === 'string') principal.issuer = payload.iss;

  const rawOrg = payload['organization'];
  if (rawOrg !== undefined && kind === 'practitioner') {
    const org = typeof rawOrg === 'string' ? normaliseReference(rawOrg) : undefined;
    if (!org || !org.startsWith('Organization/')) throw new ClaimsError('organization is not an Organization reference');
    principal.organization = org;
  }
  return principal;
}
