/**
 * A plan's coordinator (koordinator, samordningsansvarig) and contact persons
 * (fast vårdkontakt) must be on its CareTeam: the plan promises the patient a
 * named, reachable person, and the CareTeam is where samplan (and everyone
 * reading the plan) finds who acts on it — and whom the access policy lets
 * in. A coordinator outside the team could not even open the plan.
 *
 * Checked when a plan is written with a coordinator, contact persons or care
 * teams that differ from the stored version, against the teams as they will
 * be after the write: a CareTeam written in the same transaction counts in
 * its new form. Only what can be decided here is refused:
 *   - a party named only by display or identifier is not checked;
 *   - a plan with a CareTeam on another server (or named by display only) may
 *     have the party there, so it is not refused;
 *   - a CareTeam reference to this server that names nothing stored (or
 *     nothing the caller may see) is refused, since the party cannot be
 *     found on it.
 * A Practitioner and a PractitionerRole of that practitioner count as the
 * same person, when the role is stored here.
 */
import { CLOSED_TEAM_STATUS, periodCovers } from '../auth/index.ts';
import { FhirError, type Issue } from '../errors.ts';
import { normaliseReference } from '../store/index.ts';
import { EXTENSION } from '../validation/index.ts';

export interface RelatedReader {
  /**
   * The current resource as the caller may see it; undefined when it is not
   * stored here, deleted, or not the caller's to see (the same answer, so
   * nothing leaks about others' records).
   */
  read(type: string, id: string): Promise<fhir4.FhirResource | undefined>;
}

/** Resources written in the same transaction, by "Type/id" (null: deleted there). They count before the store's. */
export type Pending = ReadonlyMap<string, fhir4.FhirResource | null>;

interface Party {
  what: 'coordinator' | 'contact person';
  ref: string;
  label: string;
  expression: string;
}

/** `Type/id` for a reference to this server (relative, or absolute under `base`); undefined for anything else. */
export function localReference(reference: string | undefined, base: string): string | undefined {
  if (!reference) return undefined;
  const prefix = `${base.replace(/\/$/, '')}/`;
  const relative = reference.startsWith(prefix) ? reference.slice(prefix.length) : reference;
  const n = normaliseReference(relative);
  return n && /^[A-Z][A-Za-z]+\/[^/]+$/.test(n) ? n : undefined;
}

function partiesOf(plan: fhir4.CarePlan, base: string): Party[] {
  const out: Party[] = [];
  const add = (what: Party['what'], r: fhir4.Reference | undefined, expression: string): void => {
    // Absolute references to other servers stay as they are: matched as written.
    const ref = localReference(r?.reference, base) ?? r?.reference;
    if (ref) out.push({ what, ref, label: `${ref}${r?.display ? ` (${r.display})` : ''}`, expression });
  };
  (plan.extension ?? []).forEach((e, i) => {
    if (e.url === EXTENSION.coordinator) add('coordinator', e.valueReference, `CarePlan.extension[${i}].value`);
    if (e.url === EXTENSION.contactPerson) {
      (e.extension ?? []).forEach((s, j) => {
        if (s.url === 'party') add('contact person', s.valueReference, `CarePlan.extension[${i}].extension[${j}].value`);
      });
    }
  });
  return out;
}

/** What the check depends on, to skip it when a write leaves all of it as stored (e.g. progress notes). */
function footprint(plan: fhir4.CarePlan, base: string): string {
  return JSON.stringify([partiesOf(plan, base).map((p) => [p.ref, p.expression]), (plan.careTeam ?? []).map((t) => t.reference ?? null)]);
}

type TeamLookup = { found: fhir4.CareTeam; label: string } | { missing: string } | { elsewhere: true } | { nothing: true };

/** A local record as it will be after this request: written in it, or as the caller may see it. */
export async function readLocal(ref: string, reader: RelatedReader, pending: Pending): Promise<fhir4.FhirResource | undefined> {
  if (pending.has(ref)) return pending.get(ref) ?? undefined;
  const [type = '', id = ''] = ref.split('/');
  return reader.read(type, id);
}

async function lookupTeam(plan: fhir4.CarePlan, t: fhir4.Reference, reader: RelatedReader, pending: Pending, base: string): Promise<TeamLookup> {
  const reference = t.reference;
  if (reference?.startsWith('#')) {
    const contained = plan.contained?.find((c) => c.id === reference.slice(1));
    return contained?.resourceType === 'CareTeam' ? { found: contained, label: `the contained CareTeam ${reference}` } : { missing: reference };
  }
  const ref = localReference(reference, base);
  // Only a team on another server (absolute URL or business identifier) is beyond judging here;
  // a name alone holds nobody, and a local record of another type is no team.
  if (!ref) return reference || t.identifier ? { elsewhere: true } : { nothing: true };
  if (!ref.startsWith('CareTeam/')) return { missing: ref };
  const team = await readLocal(ref, reader, pending);
  return team?.resourceType === 'CareTeam' ? { found: team, label: ref } : { missing: ref };
}

/** The practitioner behind a Practitioner or PractitionerRole reference, when known here. */
async function practitionerOf(ref: string, reader: RelatedReader, pending: Pending, base: string): Promise<string | undefined> {
  if (ref.startsWith('Practitioner/')) return ref;
  if (!ref.startsWith('PractitionerRole/')) return undefined;
  const role = await readLocal(ref, reader, pending);
  return role?.resourceType === 'PractitionerRole' ? localReference(role.practitioner?.reference, base) : undefined;
}

async function onTeam(party: Party, teams: fhir4.CareTeam[], reader: RelatedReader, pending: Pending, base: string): Promise<boolean> {
  // Members now: of a team in use, with a participation that has not ended (as the access policy counts them).
  const now = new Date();
  const members = teams
    .filter((t) => !CLOSED_TEAM_STATUS.has(t.status ?? ''))
    .flatMap((t) => t.participant ?? [])
    .filter((p) => periodCovers(p.period, now))
    .map((p) => localReference(p.member?.reference, base) ?? p.member?.reference);
  if (members.includes(party.ref)) return true;
  // The same person as Practitioner on one side and PractitionerRole on the other.
  const person = await practitionerOf(party.ref, reader, pending, base);
  if (!person) return false;
  for (const m of members) {
    if (m && m !== party.ref && (m.startsWith('Practitioner/') || m.startsWith('PractitionerRole/')) && (await practitionerOf(m, reader, pending, base)) === person) return true;
  }
  return false;
}

/**
 * Throws FhirError('unprocessable', business-rule) naming each coordinator
 * or contact person of `plan` that is not a participant of its CareTeam, and
 * each CareTeam reference that names nothing here when that is why.
 * `base` is this server's FHIR base URL, for absolute references to it.
 */
export async function assertStaffOnCareTeam(plan: fhir4.CarePlan, stored: fhir4.CarePlan | undefined, reader: RelatedReader, pending: Pending, base: string): Promise<void> {
  const parties = partiesOf(plan, base);
  if (parties.length === 0) return;
  const teamsChanged = (plan.careTeam ?? []).some((t) => {
    const ref = localReference(t.reference, base);
    return ref !== undefined && pending.has(ref);
  });
  if (stored && !teamsChanged && footprint(stored, base) === footprint(plan, base)) return;

  const lookups = await Promise.all((plan.careTeam ?? []).map((t) => lookupTeam(plan, t, reader, pending, base)));
  const teams = lookups.flatMap((l) => ('found' in l ? [l.found] : []));
  const teamNames = lookups.flatMap((l) => ('found' in l ? [l.label] : [])).join(', ');
  const missing = lookups.flatMap((l, i) => ('missing' in l ? [{ ref: l.missing, at: `CarePlan.careTeam[${i}]` }] : []));
  // A team elsewhere may have the party on it: nothing to refuse.
  if (lookups.some((l) => 'elsewhere' in l) || lookups.every((l) => 'nothing' in l)) return;

  const issues: Issue[] = [];
  for (const party of parties) {
    if (await onTeam(party, teams, reader, pending, base)) continue;
    issues.push({
      severity: 'error',
      code: 'business-rule',
      diagnostics:
        teams.length > 0
          ? `The ${party.what} ${party.label} is not a participant of the plan's care team (${teamNames}): add them to the CareTeam first, or in the same transaction`
          : `The ${party.what} ${party.label} cannot be found on the plan's care team: ${missing.map((m) => m.ref).join(', ')} is not known here`,
      expression: [party.expression],
    });
  }
  if (issues.length === 0) return;
  for (const m of missing) {
    issues.push({
      severity: 'error',
      code: 'business-rule',
      diagnostics: `${m.ref}, a care team of the plan, is not known here (or not visible to you): the plan's coordinator and contact persons must be on its CareTeam`,
      expression: [m.at],
    });
  }
  throw new FhirError('unprocessable', issues);
}
