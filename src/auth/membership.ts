/**
 * Data-only access decisions the store makes on what it has loaded
 * (issue 5, "Authorisation"): is this practitioner on the plan's care team right
 * now, and is this resource in this patient's compartment. No database here.
 */
import type { Principal } from './principal.ts';
import { normaliseReference, sameReference } from './references.ts';

/**
 * Parse an R4 date/dateTime into the instants it can mean: `2024` covers the
 * whole year, `2024-05-01` the whole day, a full dateTime one instant.
 * https://hl7.org/fhir/R4/datatypes.html#dateTime
 * Values without a time zone (dates, and dateTimes that break the R4 rule that a
 * time needs a zone) are read as UTC, so a day ends at 24:00 UTC.
 * Returns undefined for anything that is not a valid date.
 */
export function dateRange(value: string): { low: number; high: number } | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  if (year < 100) return undefined; // Date.UTC maps 0–99 to 1900–1999; no care team dates from then
  if (mo === undefined) return { low: Date.UTC(year, 0, 1), high: Date.UTC(year + 1, 0, 1) - 1 };
  const month = Number(mo);
  if (month < 1 || month > 12) return undefined;
  if (d === undefined) return { low: Date.UTC(year, month - 1, 1), high: Date.UTC(year, month, 1) - 1 };
  const day = Number(d);
  const dayStart = Date.UTC(year, month - 1, day);
  if (day < 1 || new Date(dayStart).getUTCMonth() !== month - 1) return undefined;
  if (h === undefined) return { low: dayStart, high: dayStart + 86_400_000 - 1 };
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${frac ?? ''}${tz ?? 'Z'}`;
  const t = Date.parse(iso);
  if (Number.isNaN(t) || Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return undefined;
  // Without seconds the value names a whole minute.
  return { low: t, high: s === undefined ? t + 60_000 - 1 : t };
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
const CLOSED_TEAM_STATUS: ReadonlySet<string> = new Set(['inactive', 'entered-in-error']);

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
