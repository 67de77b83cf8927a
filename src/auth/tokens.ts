/**
 * Development access tokens signed with the local HS256 secret, shaped like the
 * ones a SMART identity provider issues: `sub`, `scope`, `fhirUser`, optional
 * `organization`, `iss`, `aud`, `iat`, `exp`, `jti` (RFC 7519 §4.1), and the
 * `at+jwt` type of RFC 9068 §2.1. For development and tests only.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { PrincipalKind } from './principal.ts';
import { ADMIN_SCOPE, AGREE_SCOPE } from './scopes.ts';
import { parseReference } from './references.ts';

export const DEFAULT_SCOPES: Readonly<Record<PrincipalKind, string>> = {
  // .u on CarePlan: the access policy lets a patient change only the progress of their own activities.
  // AuditEvent: so a patient can see who has read their plan.
  patient: `patient/CarePlan.rus patient/CareTeam.rs patient/Goal.rs patient/Provenance.rs patient/AuditEvent.rs patient/Practitioner.rs patient/PractitionerRole.rs patient/Organization.rs ${AGREE_SCOPE}`,
  // Next of kin read the plans of the patient whose team lists them, and may agree on the patient's behalf (with a reason).
  relatedPerson: `patient/CarePlan.rs patient/CareTeam.rs patient/Goal.rs patient/Patient.rs patient/Provenance.rs patient/RelatedPerson.rs patient/Practitioner.rs patient/PractitionerRole.rs patient/Organization.rs ${AGREE_SCOPE}`,
  practitioner: 'user/*.cruds',
  system: `system/*.cruds ${ADMIN_SCOPE}`,
};

export const DEFAULT_TTL_SECONDS = 3600;

export interface DevTokenOptions {
  kind: PrincipalKind;
  /** `Patient/…` for a patient, `RelatedPerson/…` for next of kin, `Practitioner/…` or `PractitionerRole/…` for a practitioner; none for system. */
  fhirUser?: string;
  /** `Organization/…`, practitioners only. */
  organization?: string;
  /** Space-delimited scopes; default DEFAULT_SCOPES[kind]. */
  scope?: string;
  /** Lifetime in seconds; default 3600. */
  ttlSeconds?: number;
  /** Default: the fhirUser, or `samplan-dev-system` for system. */
  sub?: string;
  issuer: string;
  audience?: string | string[];
  /** Issue time; default now. */
  now?: Date;
}

const USER_TYPES: Record<PrincipalKind, readonly string[]> = {
  patient: ['Patient'],
  relatedPerson: ['RelatedPerson'],
  practitioner: ['Practitioner', 'PractitionerRole'],
  system: [],
};

/** Check the options make a token samplan will accept as that kind; throws Error with a usable message. */
function check(o: DevTokenOptions): void {
  const types = USER_TYPES[o.kind];
  if (o.kind === 'system') {
    if (o.fhirUser) throw new Error('a system token has no fhirUser');
  } else {
    const ref = parseReference(o.fhirUser);
    if (!ref || !types.includes(ref.type)) throw new Error(`a ${o.kind} token needs a fhirUser of type ${types.join(' or ')}, e.g. ${types[0]}/p1`);
  }
  if (o.organization !== undefined) {
    if (o.kind !== 'practitioner') throw new Error('only a practitioner token carries an organization');
    if (parseReference(o.organization)?.type !== 'Organization') throw new Error('organization must be Organization/<id>');
  }
  const ttl = o.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0) throw new Error('ttl must be a positive whole number of seconds');
}

export async function mintDevToken(secret: string | Uint8Array, options: DevTokenOptions): Promise<string> {
  check(options);
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const claims: Record<string, string> = { scope: options.scope ?? DEFAULT_SCOPES[options.kind] };
  if (options.fhirUser) claims['fhirUser'] = options.fhirUser;
  if (options.organization) claims['organization'] = options.organization;

  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .setIssuer(options.issuer)
    .setSubject(options.sub ?? options.fhirUser ?? 'samplan-dev-system')
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.ttlSeconds ?? DEFAULT_TTL_SECONDS))
    .setJti(randomUUID());
  if (options.audience !== undefined) jwt.setAudience(options.audience);
  return jwt.sign(key);
}
