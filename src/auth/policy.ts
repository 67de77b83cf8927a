/**
 * Who may see and change what (DESIGN.md "Auth contract", issues 5 and 9),
 * enforced by the store on every call: scopes first (permits), then the data.
 *
 *  - system: whatever its system/ scopes allow.
 *  - patient: only their own compartment — CarePlan, CareTeam, Goal whose
 *    subject is them, their Patient record, Provenance on their plans, and
 *    AuditEvents about them; directory data (Practitioner, PractitionerRole,
 *    Organization) is readable so they can see whom to call. A patient may
 *    change only the progress of activities they perform themselves.
 *  - relatedPerson (next of kin): while a CareTeam of the patient their
 *    trusted RelatedPerson record names lists them as a participant now
 *    (kin.ts), the plans that name such a team — not every plan of the
 *    patient: a relative listed on the municipality's team has no business
 *    reading a plan whose team does not include them — those teams, the
 *    patient's Goals and Patient record, the Provenance on those plans, their
 *    own RelatedPerson record and the directory. They write nothing; they may
 *    record the patient's agreement ($agree) on the patient's behalf, with a
 *    reason (agree.ts). Without such a team: nothing, and all reads are 404.
 *  - practitioner: plans whose CareTeam has them (their fhirUser, or their
 *    organisation) as a participant active now; a new plan must name a team
 *    they are active on. Reach comes only from care relationships someone
 *    with reach (or a system client) granted: who may create and change
 *    teams is in team-writes.ts; directory records are the directory feed's
 *    (checkDirectoryWrite), and a PractitionerRole counts only when the feed
 *    wrote it (identity.ts).
 *
 * Subscriptions (issue 14) are their owner's alone, whoever the owner is —
 * a system client sees only its own too — and people reached through a
 * patient (patients, next of kin) make none.
 *
 * Narrowing is returned as a query, so searches are narrowed before paging.
 * AuditEvent needs a scope that names it (an auditor scope): a wildcard
 * user/*.cruds does not open the audit log.
 */
import { findMatching, type AccessPolicy, type Filter, type ResourceDoc, type VersionedStore } from '../store/index.ts';
import { insufficientScope } from './challenge.ts';
import { identityOf, type PractitionerIdentity } from './identity.ts';
import { kinReach } from './kin.ts';
import { isActiveParticipant } from './membership.ts';
import type { CallContext, Interaction, Principal } from './principal.ts';
import { ownerKey } from './owner.ts';
import { normaliseReference } from './references.ts';
import { AGREE_SCOPE, hasScope, permits, scopeContextFor } from './scopes.ts';
import { patientMayChange } from './patient-writes.ts';
import { forbid } from './refusals.ts';
import { checkTeamWrite } from './team-writes.ts';

const NOTHING: Filter = { _id: { $in: [] } };
const DIRECTORY = new Set(['Practitioner', 'PractitionerRole', 'Organization']);
/** Records written by the directory feed (system clients); see checkDirectoryWrite. */
const DIRECTORY_WRITES = new Set(['Organization', 'Practitioner', 'PractitionerRole', 'RelatedPerson', 'Patient']);

interface Reach {
  who: PractitionerIdentity;
  teams: string[];
  patients: string[];
}

export class CareTeamPolicy implements AccessPolicy {
  constructor(
    private readonly versions: VersionedStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  require(ctx: CallContext, type: string, interaction: Interaction): void {
    const p = ctx.principal;
    const ok = type === 'AuditEvent' ? auditorScope(p, interaction) : permits(p, type, interaction);
    if (!ok) throw insufficientScope(`${scopeContextFor(p.kind)}/${type}.${interaction}`);
  }

  async narrowing(ctx: CallContext, type: string): Promise<Filter> {
    const p = ctx.principal;
    if (type === 'Subscription') return p.kind === 'system' || p.kind === 'practitioner' ? { 'sp.owner': ownerKey(p) } : NOTHING;
    if (p.kind === 'system') return {};
    if (DIRECTORY.has(type)) return {};
    if (p.kind === 'patient') {
      const me = normaliseReference(p.fhirUser);
      if (!me?.startsWith('Patient/')) return NOTHING;
      switch (type) {
        case 'CarePlan':
        case 'CareTeam':
        case 'Goal':
        case 'AuditEvent':
          return { 'sp.patient': me };
        case 'Patient':
          return { _id: me.slice('Patient/'.length) };
        case 'RelatedPerson':
          return { 'sp.patient': me };
        case 'Provenance':
          return { 'sp.target': { $in: await this.idsOf('CarePlan', { 'sp.patient': me }) } };
        default:
          return NOTHING;
      }
    }
    if (p.kind === 'relatedPerson') return this.kinNarrowing(p, type);
    const reach = await this.reach(p);
    switch (type) {
      case 'CareTeam':
        return { _id: { $in: reach.teams.map((t) => t.slice('CareTeam/'.length)) } };
      case 'CarePlan':
        return { 'sp.care-team': { $in: reach.teams } };
      case 'Goal':
      case 'AuditEvent':
        return { 'sp.patient': { $in: reach.patients } };
      case 'Patient':
        return { _id: { $in: reach.patients.map((p) => p.slice('Patient/'.length)) } };
      case 'RelatedPerson':
        return { 'sp.patient': { $in: reach.patients } };
      case 'Provenance':
        // The plans of their teams: looked up only here, where it is needed.
        return { 'sp.target': { $in: reach.teams.length ? await this.idsOf('CarePlan', { 'sp.care-team': { $in: reach.teams } }) : [] } };
      default:
        return NOTHING;
    }
  }

  async checkWrite(ctx: CallContext, type: string, current: fhir4.FhirResource | null, next: fhir4.FhirResource | null): Promise<void> {
    const p = ctx.principal;
    // Whose a Subscription is, is stamped on it from the caller (src/subscriptions), never taken from the body.
    if (type === 'Subscription' && p.kind !== 'system' && p.kind !== 'practitioner') forbid('Subscriptions are made by EHR clients: system clients and practitioners');
    if (p.kind === 'system') return;
    if (p.kind === 'patient') {
      if (!patientMayChange(p, type, current, next)) forbid('A patient may only record progress on activities they perform themselves');
      return;
    }
    if (p.kind === 'relatedPerson') forbid("Next of kin read the plans of the patient whose care team lists them; they change nothing, and may only record the patient's agreement ($agree) with a reason");
    // Practitioner.
    if (DIRECTORY_WRITES.has(type)) return this.checkDirectoryWrite(p, type, current, next);
    const reach = await this.reach(p);
    // A goal is written only for a patient of a team the practitioner is active on,
    // before and after: a goal is part of plans (its changes can make their agreement stale).
    if (type === 'Goal') {
      for (const g of [current, next]) {
        const subject = g ? normaliseReference((g as fhir4.Goal).subject?.reference) : undefined;
        if (g && (!subject || !reach.patients.includes(subject))) forbid("A Goal must be for a patient of a CareTeam you (or your organisation) are an active participant of");
      }
    }
    if (type === 'CareTeam') {
      const now = this.clock();
      checkTeamWrite(current as fhir4.CareTeam | null, next as fhir4.CareTeam | null, {
        who: reach.who,
        patients: reach.patients,
        now,
        onTeam: (team) => isActiveParticipant(team, p, now, reach.who.roleOrg),
      });
    }
    // A new or changed plan must stay on a team the practitioner is active on.
    if (next && type === 'CarePlan') {
      const teams = (next as fhir4.CarePlan).careTeam?.map((t) => normaliseReference(t.reference)) ?? [];
      if (!teams.some((t) => t && reach.teams.includes(t))) forbid('The plan must reference a CareTeam you (or your organisation) are an active participant of');
    }
  }

  /**
   * Directory records (issue 9, door 3) are written by system clients — the
   * directory feed. A practitioner may only update the record of the
   * organisation they administer (a PractitionerRole from the feed with the
   * administrator code): the phone number patients call is that
   * organisation's to keep, nobody else's.
   */
  private async checkDirectoryWrite(p: Principal, type: string, current: fhir4.FhirResource | null, next: fhir4.FhirResource | null): Promise<void> {
    if (type === 'Organization' && current && next) {
      const { adminOf } = await identityOf(this.versions, p, this.clock());
      if (adminOf && adminOf === `Organization/${current.id ?? ''}`) return;
    }
    forbid(`${type} records are written by the directory feed (a system client); an organisation's administrator may update only their own organisation's record`);
  }

  async checkOperation(ctx: CallContext, name: string, resource: fhir4.FhirResource): Promise<void> {
    const p = ctx.principal;
    if (name !== '$agree' || resource.resourceType !== 'CarePlan') forbid(`The operation ${name} is not open to anyone`);
    // The patient agrees by the dedicated scope (a patient/CarePlan.u scope would allow far more);
    // others record an agreement on the patient's behalf and need to be allowed to update the plan.
    // Next of kin likewise: they hold no update scope, only the agreement one; agree.ts makes them
    // the agent and the plan rules (plans/agreement.ts) require a reason from anyone but the patient.
    if (p.kind === 'patient' || p.kind === 'relatedPerson') {
      if (!hasScope(p, AGREE_SCOPE)) throw insufficientScope(AGREE_SCOPE);
      return;
    }
    this.require(ctx, 'CarePlan', 'u');
  }

  /**
   * Indicators (issue 13) are figures over every plan, for the health
   * community's committees: a scope that names Measure or MeasureReport (a
   * wildcard does not, as with the audit log), held by a system client or by
   * a practitioner whose trusted directory role is administrator. Patients
   * and next of kin have their own plans, not the region's figures.
   */
  async checkAggregate(ctx: CallContext, name: string, _type: string): Promise<void> {
    const p = ctx.principal;
    if (!indicatorScope(p)) throw insufficientScope(`${scopeContextFor(p.kind)}/Measure.rs`);
    if (p.kind === 'system') return;
    if (p.kind !== 'practitioner') forbid(`${name} gives figures over the health community's plans: for its committees, not for patients or next of kin`);
    const { adminOf } = await identityOf(this.versions, p, this.clock());
    if (!adminOf) forbid(`${name} is open to practitioners whose directory role (PractitionerRole, written by the directory) is administrator`);
  }

  /** What next of kin see (see the header); everything hangs on the teams that list them now. */
  private async kinNarrowing(p: Principal, type: string): Promise<Filter> {
    const { me, patient, teams } = await kinReach(this.versions, p, this.clock());
    if (!me) return NOTHING;
    // Their own record, even without reach: it is about them (it is the directory feed's to write).
    if (type === 'RelatedPerson') return { _id: me.slice('RelatedPerson/'.length) };
    if (!patient || teams.length === 0) return NOTHING;
    const plans = { 'sp.patient': patient, 'sp.care-team': { $in: teams } };
    switch (type) {
      case 'CarePlan':
        return plans;
      case 'CareTeam':
        return { _id: { $in: teams.map((t) => t.slice('CareTeam/'.length)) } };
      case 'Goal':
        return { 'sp.patient': patient };
      case 'Patient':
        return { _id: patient.slice('Patient/'.length) };
      case 'Provenance':
        return { 'sp.target': { $in: await this.idsOf('CarePlan', plans) } };
      default:
        // AuditEvent included: the log about the patient is the patient's and the auditors'.
        return NOTHING;
    }
  }

  private async idsOf(type: string, filter: Filter): Promise<string[]> {
    const found = await findMatching<ResourceDoc>(this.versions, type, 'resources', { $and: [{ deleted: false }, filter] });
    return found.docs.map((d) => `${type}/${d._id}`);
  }

  /** The teams a practitioner is active on now, and the plans and patients they reach through them. */
  private async reach(p: Principal): Promise<Reach> {
    const now = this.clock();
    const who = await identityOf(this.versions, p, now);
    if (who.refs.length === 0) return { who, teams: [], patients: [] };
    // Candidate teams by member or on-behalf-of organisation; the period and status are then judged on the data.
    const candidates = await findMatching<ResourceDoc>(this.versions, 'CareTeam', 'resources', {
      deleted: false,
      $or: [{ 'sp.participant': { $in: who.refs } }, { 'sp.participant-organization': { $in: who.refs } }],
    });
    const active = candidates.docs.filter((d) => isActiveParticipant(d.resource as fhir4.CareTeam, p, now, who.roleOrg));
    const teams = active.map((d) => `CareTeam/${d._id}`);
    const patients = new Set<string>();
    for (const d of active) {
      const s = normaliseReference((d.resource as fhir4.CareTeam).subject?.reference);
      if (s?.startsWith('Patient/')) patients.add(s);
    }
    return { who, teams, patients: [...patients] };
  }
}

/** A scope that names the indicators' types and allows reading them: system/Measure.rs, user/MeasureReport.r, … */
function indicatorScope(p: Principal): boolean {
  const context = scopeContextFor(p.kind);
  return p.scopes.some((g) => g.context === context && (g.type === 'Measure' || g.type === 'MeasureReport') && g.interactions.has('r'));
}

/** The audit log opens only to a scope that names AuditEvent (an auditor scope), never to a wildcard. */
function auditorScope(p: Principal, interaction: Interaction): boolean {
  const context = scopeContextFor(p.kind);
  return p.scopes.some((g) => g.context === context && g.type === 'AuditEvent' && g.interactions.has(interaction));
}
