/**
 * Who may create and change a CareTeam (issue 9, door 1). A team is what
 * gives a practitioner reach to a patient, so a team never widens its
 * creator's reach by itself:
 *
 *  - the first team for a patient is made by a system client (the region's
 *    or municipality's integration); a practitioner may create a further team
 *    only for a patient they already reach through an active team of theirs
 *    (personally or through their organisation), and must be on it;
 *  - participants are added, changed or removed only by an active
 *    coordinator of the team as it is stored — someone who already has the
 *    reach grants it. Anyone may take their own entry off a team.
 *  - a team is deleted only by its coordinator.
 *
 * Moving a team to another patient is refused for everyone by the plan rules
 * (plans/same-patient.ts).
 */
import { canonicalJson as canonical } from '../canonical-json.ts';
import { CODE_SYSTEM } from '../validation/index.ts';
import { CLOSED_TEAM_STATUS, periodCovers } from './membership.ts';
import type { PractitionerIdentity } from './identity.ts';
import { normaliseReference } from './references.ts';
import { forbid } from './refusals.ts';

/** Is the person an active coordinator of the team now (their own entry, not their organisation's)? */
export function isCoordinator(team: fhir4.CareTeam, who: PractitionerIdentity, now: Date): boolean {
  if (team.status !== undefined && CLOSED_TEAM_STATUS.has(team.status)) return false;
  return (team.participant ?? []).some((p) => {
    const member = normaliseReference(p.member?.reference);
    const coordinates = (p.role ?? []).some((r) => (r.coding ?? []).some((c) => c.system === CODE_SYSTEM.careTeamRole && c.code === 'coordinator'));
    return member !== undefined && who.person.includes(member) && coordinates && periodCovers(p.period, now);
  });
}

/** Participant entries of `a` not in `b` (by content; repeated entries count once each). */
function without(a: fhir4.CareTeamParticipant[], b: fhir4.CareTeamParticipant[]): fhir4.CareTeamParticipant[] {
  const rest = b.map(canonical);
  return a.filter((p) => {
    const i = rest.indexOf(canonical(p));
    if (i < 0) return true;
    rest.splice(i, 1);
    return false;
  });
}

export interface TeamWriteContext {
  who: PractitionerIdentity;
  /** Patients the practitioner reaches through their active teams now, "Patient/…". */
  patients: readonly string[];
  /** Is the practitioner an active participant of this team (personally or by organisation)? */
  onTeam(team: fhir4.CareTeam): boolean;
  now: Date;
}

export function checkTeamWrite(current: fhir4.CareTeam | null, next: fhir4.CareTeam | null, c: TeamWriteContext): void {
  if (!current) {
    if (!next) return;
    const subject = normaliseReference(next.subject?.reference);
    if (!subject || !c.patients.includes(subject)) {
      forbid('The first CareTeam for a patient is made by a system client; a practitioner may add a team only for a patient they already care for through an active team');
    }
    if (!c.onTeam(next)) forbid('A new CareTeam must have you (or your organisation) as an active participant');
    return;
  }
  if (isCoordinator(current, c.who, c.now)) return;
  if (!next) forbid("Only the team's coordinator may delete a CareTeam");
  const added = without(next.participant ?? [], current.participant ?? []);
  const removed = without(current.participant ?? [], next.participant ?? []);
  const ownEntry = (p: fhir4.CareTeamParticipant): boolean => {
    const member = normaliseReference(p.member?.reference);
    return member !== undefined && c.who.person.includes(member);
  };
  if (added.length > 0 || !removed.every(ownEntry)) {
    forbid("Only the team's coordinator may add, change or remove participants (anyone may take their own entry off the team)");
  }
}
