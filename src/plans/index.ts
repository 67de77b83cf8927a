/**
 * The rules of a shared plan, as pure functions over resources: lifecycle,
 * the patient's agreement, plan-kind rules, follow-up. No database: the
 * caller passes the stored version and the proposed one.
 *
 * A write of a CarePlan (create, update, patch result, transaction entry):
 *
 *   const { plan, warnings } = preparePlanWrite(stored, proposed);
 *   // store `plan` (not `proposed`)
 *
 * `$agree`:
 *
 *   const { provenance, plan } = agree({ plan: stored, agent, reason });
 *   // store both; the plan as its next version
 */
import type { CallContext } from '../auth/principal.ts';
import { FhirError, type Issue } from '../errors.ts';
import type { GuardedWrite, Store, VersionDoc } from '../store/index.ts';
import { assertStructure, assertValid, validateResource, planKinds } from '../validation/index.ts';
import { agreementAfterChange, type AgreementOptions } from './agreement.ts';
import { staleForGoalWrites } from './agreement-goals.ts';
import { assertStaffOnCareTeam, type Pending, type RelatedReader } from './care-team-check.ts';
import { markStaleForGoals, type StaleMarking } from './goal-change.ts';
import { assertTransition } from './lifecycle.ts';
import { callerReader, plansOfTeam, plansWithGoal } from './lookup.ts';
import { assertUniquePatientIdentifiers } from './patient-identity.ts';
import { assertSamePatient } from './same-patient.ts';

export interface PreparedPlan {
  /** The plan to store: with the server's agreement carried over and its status recomputed. */
  plan: fhir4.CarePlan;
  /** Warnings from validation (errors throw). */
  warnings: Issue[];
}

/**
 * Everything a CarePlan write must pass, in order: the agreement is carried
 * over from `stored` (and marked stale if the agreed content changed), the
 * status change is checked against the lifecycle, and the result is validated
 * against its profiles. Throws FhirError ('invalid' 400 / 'unprocessable' 422).
 */
export function preparePlanWrite(stored: fhir4.CarePlan | undefined, proposed: fhir4.CarePlan, opts: AgreementOptions = {}): PreparedPlan {
  // Structure first: the agreement and lifecycle code assume a well-formed CarePlan.
  assertStructure(proposed);
  const plan = agreementAfterChange(stored, proposed, opts);
  // Content errors first: a caller fixing a plan learns what is wrong with it before whether its status may change.
  const warnings = assertValid(plan);
  assertTransition(stored, plan);
  return { plan, warnings };
}

/**
 * The check for any resource samplan stores (WriteChecks.beforeWrite): plan
 * rules for a CarePlan, validation for everything else. Returns what to store.
 */
export function checkWrite<T extends fhir4.FhirResource>(stored: T | null | undefined, proposed: T, opts: AgreementOptions = {}): T {
  if (proposed.resourceType === 'CarePlan') {
    return preparePlanWrite((stored ?? undefined) as fhir4.CarePlan | undefined, proposed, opts).plan as T;
  }
  assertValid(proposed);
  return proposed;
}

export interface RelatedOptions {
  /** Adds to a refusal which of `writes` (by index) it is about, e.g. a transaction entry. */
  annotate?(err: FhirError, index: number): void;
}

/**
 * The plan rules that look past each resource, over all the writes of one
 * request (one write, or a transaction's), after each passed checkWrite and
 * the access policy allowed it (so a rule's answer never tells a caller about
 * records they may not write):
 *   - a plan, its teams and its goals stay about one patient (same-patient.ts);
 *   - a national identity number is on one active Patient (patient-identity.ts);
 *   - a plan's coordinator and contact persons are on its CareTeam
 *     (care-team-check.ts; read as the caller, `ctx`);
 *   - a change to a goal's agreed content marks the agreement of the plans
 *     that reference it stale (goal-change.ts; found as samplan, `service`).
 * Returns the writes to store (plans among them may be amended) and the
 * follow-up versions of stored plans, to be stored with them all or nothing
 * (Store.writeWithFollowUps). Throws FhirError (422) when a rule is broken.
 */
export async function checkRelated(writes: GuardedWrite[], store: Store, ctx: CallContext, service: CallContext, opts: RelatedOptions = {}): Promise<StaleMarking> {
  await store.authorise(ctx, writes);
  const pending = new Map(writes.map((w) => [`${w.type}/${w.id}`, w.resource]));
  const reader = callerReader(store, ctx);
  await assertSamePatient(writes, reader, pending, ctx.baseUrl, opts.annotate);
  await assertUniquePatientIdentifiers(writes, store, service, opts.annotate);
  for (const [i, w] of writes.entries()) {
    if (w.type !== 'CarePlan' || !w.resource) continue;
    const stored = w.current && !w.current.deleted ? (w.current.resource as fhir4.CarePlan) : undefined;
    try {
      await assertStaffOnCareTeam(w.resource as fhir4.CarePlan, stored, reader, pending, ctx.baseUrl);
    } catch (err) {
      if (err instanceof FhirError) opts.annotate?.(err, i);
      throw err;
    }
  }
  await assertTeamsKeepStaff(writes, store, ctx, reader, pending, opts);
  return markStaleForGoals(writes, plansWithGoal(store, service), opts.annotate);
}

/**
 * The same rule seen from the team: a CareTeam change (or deletion) must not
 * leave a stored plan's coordinator or contact person outside the plan's
 * team. The plans are the ones the caller can see; plans written in the same
 * request were judged above with the team as it will be.
 */
async function assertTeamsKeepStaff(writes: GuardedWrite[], store: Store, ctx: CallContext, reader: RelatedReader, pending: Pending, opts: RelatedOptions): Promise<void> {
  for (const [i, w] of writes.entries()) {
    if (w.type !== 'CareTeam' || !w.current || w.current.deleted) continue;
    const before = w.current.resource as fhir4.CareTeam;
    const after = w.resource as fhir4.CareTeam | null;
    if (after && JSON.stringify(after.participant) === JSON.stringify(before.participant) && after.status === before.status) continue;
    for (const plan of await plansOfTeam(store, ctx, w.id)) {
      if (pending.has(`CarePlan/${plan.id}`)) continue;
      try {
        await assertStaffOnCareTeam(plan, undefined, reader, pending, ctx.baseUrl);
      } catch (err) {
        if (!(err instanceof FhirError)) throw err;
        const refusal = new FhirError('unprocessable', {
          code: 'business-rule',
          diagnostics: `This change would leave CarePlan/${plan.id ?? ''} with a coordinator or contact person outside its care team; give the plan another first (${err.message})`,
          expression: w.resource ? 'CareTeam.participant' : 'CareTeam',
        });
        opts.annotate?.(refusal, i);
        throw refusal;
      }
    }
  }
}

/**
 * After the writes of a request were stored (`docs`, in the order of
 * `writes`): agreements recorded while a goal among them changed, which the
 * look before the write could not see, are marked stale (agreement-goals.ts).
 */
export async function afterGoalWrites(writes: readonly GuardedWrite[], docs: readonly VersionDoc[], store: Store, service: CallContext): Promise<void> {
  await staleForGoalWrites(store, service, plansWithGoal(store, service), writes, docs);
}

/** The profile-level issues (plan-kind rules included) of a plan, without refusing anything. */
export function planRuleIssues(plan: fhir4.CarePlan): Issue[] {
  return validateResource(plan);
}

export { planKinds };
export {
  agree,
  agreementAfterChange,
  agreementExtension,
  agreementOf,
  agreementState,
  markAgreementStale,
  withAgreement,
  type Agreement,
  type AgreementOptions,
  type AgreementStatus,
  type AgreeInput,
  type AgreeResult,
} from './agreement.ts';
export { goalsMovedSince, goalsOfPlan, markStaleAsService, pinsOf, type PinnedGoal } from './agreement-goals.ts';
export { agreedContent, canonicalJson, contentDigest, goalChangeMatters } from './agreed-content.ts';
export { assertStaffOnCareTeam, localReference, type Pending, type RelatedReader } from './care-team-check.ts';
export { changedGoals, goalWriteMatters, markStaleForGoals, type PlansWithGoal, type StaleMarking } from './goal-change.ts';
export { assertTransition, canTransition, INITIAL_STATUSES, PLAN_STATUSES, TRANSITIONS, type PlanStatus } from './lifecycle.ts';
export { dateRange, isReviewDue, nextReviewDate, reviewDueIndex, withNextReview } from './review.ts';
