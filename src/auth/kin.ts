/**
 * Next of kin's reach (the patient-page issue): a RelatedPerson signed in as
 * themself reaches the patient their RelatedPerson record names, and only
 * through the CareTeams of that patient that list them as a participant now.
 *
 * Both halves must come from someone who already has reach (README "Who gets
 * reach to a patient"):
 * - the RelatedPerson record counts only when a system client (the directory
 *   feed) wrote its current version, as a PractitionerRole does (identity.ts);
 *   a record someone wrote about themself names whatever patient they like;
 * - the listing on a team is made by the team's coordinator or an integration
 *   (team-writes.ts), and it counts only while its period covers now and the
 *   team is not closed.
 * Either half alone gives nothing: a relative whose listing ended, or whose
 * record names another patient than the team's, reaches no one.
 */
import { findMatching, type ResourceDoc, type VersionedStore } from '../store/index.ts';
import { CLOSED_TEAM_STATUS, periodCovers } from './membership.ts';
import type { Principal } from './principal.ts';
import { normaliseReference } from './references.ts';

export interface KinReach {
  /** `RelatedPerson/<id>`, when the token names one. */
  me?: string;
  /** `Patient/<id>` of the trusted RelatedPerson record; absent: no reach. */
  patient?: string;
  /** `CareTeam/<id>` of the patient's teams that list them now. */
  teams: string[];
}

/** Is `member` (`RelatedPerson/…`) a participant of the team whose period covers now, on a team that is not closed? */
export function listsMemberNow(team: fhir4.CareTeam, member: string, now: Date): boolean {
  if (team.status !== undefined && CLOSED_TEAM_STATUS.has(team.status)) return false;
  return (team.participant ?? []).some((p) => normaliseReference(p.member?.reference) === member && periodCovers(p.period, now));
}

/** The trusted RelatedPerson record behind the token: written by a system client, active, its period covering now. */
async function trustedRecord(versions: VersionedStore, me: string, now: Date): Promise<fhir4.RelatedPerson | undefined> {
  const doc = await versions.current('RelatedPerson', me.slice('RelatedPerson/'.length));
  if (!doc || doc.deleted || doc.writtenBy !== 'system') return undefined;
  const record = doc.resource as fhir4.RelatedPerson;
  return record.active === false || !periodCovers(record.period, now) ? undefined : record;
}

export async function kinReach(versions: VersionedStore, p: Principal, now: Date): Promise<KinReach> {
  const me = normaliseReference(p.fhirUser);
  if (p.kind !== 'relatedPerson' || !me?.startsWith('RelatedPerson/')) return { teams: [] };
  const record = await trustedRecord(versions, me, now);
  const patient = normaliseReference(record?.patient?.reference);
  if (!patient?.startsWith('Patient/')) return { me, teams: [] };
  const candidates = await findMatching<ResourceDoc>(versions, 'CareTeam', 'resources', { deleted: false, 'sp.participant': me, 'sp.patient': patient });
  // The index found teams that name them at some time; the period and status are judged on the data.
  const teams = candidates.docs.filter((d) => listsMemberNow(d.resource as fhir4.CareTeam, me, now)).map((d) => `CareTeam/${d._id}`);
  return teams.length > 0 ? { me, patient, teams } : { me, teams: [] };
}
