/**
 * What the patient agrees to when they agree to a plan, and its digest.
 *
 * The agreement covers the substance of the plan: the measures (activities)
 * with who does them and when, the goals, the contact persons and the
 * coordinator, and the plan period. It does not cover progress: an activity's
 * status, status reason, progress notes and outcomes change as the plan is
 * carried out, and the plan status, follow-up date, notes and narrative change
 * without anything new being promised. A change to the agreed content makes
 * the agreement stale; a change to the rest does not.
 */
import { createHash } from 'node:crypto';
import { EXTENSION } from '../validation/index.ts';
import { canonicalJson } from '../canonical-json.ts';

export { canonicalJson };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Activity fields that record progress, not what was agreed. */
const ACTIVITY_PROGRESS = new Set(['progress', 'outcomeCodeableConcept', 'outcomeReference']);
const DETAIL_PROGRESS = new Set(['status', 'statusReason']);

function omit(obj: Record<string, unknown>, keys: Set<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.has(k)));
}

/** The agreed content of a plan, as plain JSON. */
export function agreedContent(plan: fhir4.CarePlan): Json {
  const activities = (plan.activity ?? []).map((a) => {
    const rest = omit(a as unknown as Record<string, unknown>, ACTIVITY_PROGRESS);
    if (a.detail) rest.detail = omit(a.detail as unknown as Record<string, unknown>, DETAIL_PROGRESS);
    return rest;
  });
  // Goals are a set: their order in the plan carries no meaning.
  const goals = (plan.goal ?? []).map((g) => g.reference ?? JSON.stringify(g.identifier ?? g.display ?? '')).sort();
  const contacts = (plan.extension ?? []).filter((e) => e.url === EXTENSION.contactPerson || e.url === EXTENSION.coordinator);
  return JSON.parse(JSON.stringify({ activities, goals, contacts, period: plan.period ?? null })) as Json;
}

/** `sha256:<hex>` of the plan's agreed content. */
export function contentDigest(plan: fhir4.CarePlan): string {
  return `sha256:${createHash('sha256').update(canonicalJson(agreedContent(plan))).digest('hex')}`;
}

/**
 * Goal statuses that mean the goal is no longer pursued
 * (https://hl7.org/fhir/R4/valueset-goal-status.html): dropping a goal this
 * way changes the plan as much as removing it from CarePlan.goal does.
 */
const WITHDRAWN = new Set<fhir4.Goal['lifecycleStatus']>(['cancelled', 'rejected', 'entered-in-error']);

/**
 * Whether a change to a Goal changes what a patient agreed to: its words,
 * targets, start, what it addresses, or whether it is pursued at all — as
 * opposed to recording progress (achievementStatus, status dates, notes, and
 * the lifecycle steps of a pursued goal: proposed → accepted → active →
 * on-hold → completed). Plans referencing such a goal have their agreement
 * marked stale (goal-change.ts).
 */
export function goalChangeMatters(before: fhir4.Goal, after: fhir4.Goal): boolean {
  const substance = (g: fhir4.Goal): Json =>
    JSON.parse(
      JSON.stringify({
        description: g.description,
        target: g.target ?? null,
        start: g.startDate ?? g.startCodeableConcept ?? null,
        addresses: g.addresses ?? null,
        withdrawn: WITHDRAWN.has(g.lifecycleStatus),
      }),
    ) as Json;
  return canonicalJson(substance(before)) !== canonicalJson(substance(after));
}
