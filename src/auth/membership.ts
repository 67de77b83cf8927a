/**
 * Data-only access decisions the store makes on what it has loaded
 * (issue 5, "Authorisation"): is this practitioner on the plan's care team right
 * now, and is this resource in this patient's compartment. No database here.
 */
import type { Principal } from './principal.ts';
import { dateRange as fhirDateRange } from '../store/index.ts';
import { normaliseReference, sameReference } from './references.ts';

/**
 * The instants an R4 date/dateTime can mean, inclusive: `2024` the whole year,
 * `2024-05-01` the whole day, a dateTime with seconds one instant. Parsed by
 * the store's FHIR date parser (which gives the search range at the value's
 * precision); here a value with seconds names exactly that instant.
 * https://hl7.org/fhir/R4/datatypes.html#dateTime
 * Values without a time zone are read as UTC. Undefined for anything invalid.
 */
export function dateRange(value: string): { low: number; high: number } | undefined {
  const r = fhirDateRange(value);
  if (!r) return undefined;
  const instant = /T\d{2}:\d{2}:\d{2}/.test(value);
  return { low: r.lo.getTime(), high: instant ? r.lo.getTime() : r.hi.getTime() - 1 };
}

/**
 * Does the period cover `now`? Open ends are allowed (no start: since ever; no
 * end: ongoing; no period: always). A start or end that cannot be read makes the
 * period cover nothing: deny rather than guess.
 */
export function periodCovers(period: fhir4.Period | undefined, now: Date): boolean {
  if (!period) return true;
  const t = now.getTime();
  if (period.start !== undefined) {
    const start = dateRange(period.start);
    if (!start || t < start.low) return false;
  }
  if (period.end !== undefined) {
    const end = dateRange(period.end);
    if (!end || t > end.high) return false;
  }
  return true;
}

/** CareTeam.status values under which nobody on the team acts on the plan. */
export const CLOSED_TEAM_STATUS: ReadonlySet<string> = new Set(['inactive', 'entered-in-error']);

/**
 * Is the practitioner an active participant of the team at `now`?
 *
 * The principal's identities are its `fhirUser` (`Practitioner/x` or
 * `PractitionerRole/y`), its `organization` claim, and `roleOrg` (the
 * organisation of its PractitionerRole, which the caller loads). One of them must
 * appear as a participant's `member` or `onBehalfOf`, in a participant whose
 * `period` covers `now` (open ends allowed), on a team whose status is not
 * `inactive` or `entered-in-error`. References compare on `Type/id`
 * (absolute and versioned forms included); identifier-only references never match.
 *
 * Only practitioners take part: patients reach their records through their
 * compartment (`isPatientOf`), systems through their scopes.
 * CareTeam: https://hl7.org/fhir/R4/careteam.html
 */
export function isActiveParticipant(team: fhir4.CareTeam, principal: Principal, now: Date, roleOrg?: string): boolean {
  if (principal.kind !== 'practitioner') return false;
  if (team.status !== undefined && CLOSED_TEAM_STATUS.has(team.status)) return false;

  const identities = new Set<string>();
  for (const ref of [principal.fhirUser, principal.organization, roleOrg]) {
    const n = normaliseReference(ref);
    if (n) identities.add(n);
  }
  if (identities.size === 0) return false;

  return (team.participant ?? []).some((p) => {
    const refs = [p.member?.reference, p.onBehalfOf?.reference];
    const named = refs.some((r) => {
      const n = normaliseReference(r);
      return n !== undefined && identities.has(n);
    });
    return named && periodCovers(p.period, now);
  });
}

type CompartmentResource = fhir4.CarePlan | fhir4.CareTeam | fhir4.Goal;

/** `subject` reference of a CarePlan, CareTeam or Goal; undefined for other types or none. */
export function subjectOf(resource: { resourceType: string }): string | undefined {
  switch (resource.resourceType) {
    case 'CarePlan':
    case 'CareTeam':
    case 'Goal':
      return (resource as CompartmentResource).subject?.reference;
    default:
      return undefined;
  }
}

/**
 * Is the resource in the patient's compartment? True for a CarePlan, CareTeam
 * or Goal whose `subject` is `patientRef` (e.g. `Patient/p1`). Anything else,
 * including a resource with no subject, is not the patient's.
 */
export function isPatientOf(resource: { resourceType: string }, patientRef: string): boolean {
  const subject = subjectOf(resource);
  return normaliseReference(patientRef)?.startsWith('Patient/') === true && sameReference(subject, patientRef);
}
