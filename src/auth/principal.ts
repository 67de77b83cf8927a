/**
 * Who is calling. Built by authentication from a verified bearer token
 * (DESIGN.md "Auth contract") and carried on every call into the store, so
 * that access checks and audit cannot be skipped.
 */
/**
 * `relatedPerson`: next of kin signed in as their RelatedPerson (`fhirUser`); they
 * reach one patient, through a CareTeam that lists them (policy.ts, kin.ts).
 */
export type PrincipalKind = 'patient' | 'relatedPerson' | 'practitioner' | 'system';

/** A SMART interaction letter: c(reate) r(ead) u(pdate) d(elete) s(earch). */
export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';

/** One granted scope, normalised from SMART v1 or v2 syntax. */
export interface ScopeGrant {
  context: 'patient' | 'user' | 'system';
  /** A resource type or '*'. */
  type: string;
  interactions: ReadonlySet<Interaction>;
}

export interface Principal {
  kind: PrincipalKind;
  /** The token's `sub`. */
  sub: string;
  /** `Patient/…`, `RelatedPerson/…`, `Practitioner/…` or `PractitionerRole/…` from the `fhirUser` claim. */
  fhirUser?: string;
  /** Organisation the practitioner acts for (from a PractitionerRole or an `organization` claim), `Organization/…`. */
  organization?: string;
  scopes: readonly ScopeGrant[];
  /** The raw scope string, for audit. */
  scope: string;
  /** Token issuer, for audit. */
  issuer?: string;
}

/** Everything a FHIR interaction needs to know about the call besides its input. */
export interface CallContext {
  principal: Principal;
  requestId: string;
  /** Remote address, for audit. */
  ip?: string;
  userAgent?: string;
  /** Base URL of the FHIR endpoint as the caller sees it, e.g. http://localhost:8080/fhir */
  baseUrl: string;
  /**
   * Charges `units` more requests' worth of work to the caller's rate budget
   * (each batch entry, each search term beyond the first); throws 429 when it
   * is spent. Absent when no budget applies (the service itself, direct calls).
   */
  spend?(units: number): void;
}

/** The service itself acting (start-up recovery, sync, seeding). Full system access. */
export function servicePrincipal(name: string): Principal {
  const all: ReadonlySet<Interaction> = new Set<Interaction>(['c', 'r', 'u', 'd', 's']);
  return { kind: 'system', sub: `samplan:${name}`, scopes: [{ context: 'system', type: '*', interactions: all }], scope: 'system/*.cruds' };
}
