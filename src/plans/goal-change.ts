/**
 * A goal is part of what the patient agreed to in every plan that names it
 * (CarePlan.goal). When its agreed content changes (goalChangeMatters: its
 * words, targets, start, what it addresses, whether it is still pursued), or
 * it is deleted, each such plan's agreement is marked stale, as a new plan
 * version — exactly as a change to the plan's own measures does. A change of
 * progress (achievementStatus, notes, meta, narrative) leaves the plans alone.
 *
 * Plans written in the same transaction are marked in that write (and must
 * then still pass the lifecycle: a plan cannot become active in the very
 * transaction that makes its agreement stale). Stored plans get a follow-up
 * version of their own, written with the goal, all or nothing.
 */
import { FhirError } from '../errors.ts';
import type { GuardedWrite, StoredVersion } from '../store/index.ts';
import { normaliseReference } from '../store/index.ts';
import { goalChangeMatters } from './agreed-content.ts';
import { agreementState, markAgreementStale } from './agreement.ts';
import { assertTransition } from './lifecycle.ts';

/** Stored plans that reference Goal/{id}: all of them, whoever asks. */
export type PlansWithGoal = (goalId: string) => Promise<StoredVersion[]>;

export interface StaleMarking {
  /** The request's own writes, with plans that reference a changed goal marked stale. */
  writes: GuardedWrite[];
  /** New versions of stored plans whose agreement went stale, to write with `writes`. */
  followUps: GuardedWrite[];
}

const live = (v: StoredVersion | null): fhir4.FhirResource | null => (v && !v.deleted ? v.resource : null);

/**
 * Whether writing `after` (null: deleting) over `before` (null: none) changes
 * what patients agreed to. A goal that appears under an id plans already name
 * changes it as much as one that disappears.
 */
export function goalWriteMatters(before: fhir4.Goal | null, after: fhir4.Goal | null): boolean {
  if (!before || !after) return before !== after;
  return goalChangeMatters(before, after);
}

/** The ids of the goals among `writes` whose agreed content changes. */
export function changedGoals(writes: readonly GuardedWrite[]): string[] {
  return writes
    // A fresh (server-assigned) id is one no plan can name yet.
    .filter((w) => w.type === 'Goal' && !w.fresh && goalWriteMatters(live(w.current) as fhir4.Goal | null, w.resource as fhir4.Goal | null))
    .map((w) => w.id);
}

/** The patient a goal write is about (its subject after, or before for a deletion). */
function goalSubject(writes: readonly GuardedWrite[], id: string): string | undefined {
  const w = writes.find((x) => x.type === 'Goal' && x.id === id);
  const goal = (w?.resource ?? live(w?.current ?? null)) as fhir4.Goal | null;
  return normaliseReference(goal?.subject?.reference);
}

const refersTo = (plan: fhir4.CarePlan, goals: ReadonlySet<string>): boolean => (plan.goal ?? []).some((g) => goals.has(normaliseReference(g.reference) ?? ''));

/**
 * Marks stale the agreement of every plan (in `writes`, or stored) that
 * references a goal whose agreed content `writes` change. `annotate` learns
 * which write a refusal is about before it is thrown.
 */
export async function markStaleForGoals(writes: GuardedWrite[], plansWithGoal: PlansWithGoal, annotate?: (err: FhirError, index: number) => void): Promise<StaleMarking> {
  const goals = changedGoals(writes);
  if (goals.length === 0) return { writes, followUps: [] };
  const refs = new Set(goals.map((id) => `Goal/${id}`));

  const amended = writes.map((w, i) => {
    const plan = w.type === 'CarePlan' ? (w.resource as fhir4.CarePlan | null) : null;
    if (!plan || agreementState(plan) !== 'current' || !refersTo(plan, refs)) return w;
    const stale = markAgreementStale(plan);
    try {
      assertTransition((live(w.current) as fhir4.CarePlan | null) ?? undefined, stale);
    } catch (err) {
      if (err instanceof FhirError) annotate?.(err, i);
      throw err;
    }
    return { ...w, resource: stale };
  });

  const written = new Set(writes.map((w) => `${w.type}/${w.id}`));
  const followUps = new Map<string, GuardedWrite>();
  for (const goal of goals) {
    // Only the plans of the goal's own patient: a goal written under an id that another patient's
    // plan names is not that plan's goal, and must not reach it.
    const subject = goalSubject(writes, goal);
    for (const doc of await plansWithGoal(goal)) {
      const plan = live(doc) as fhir4.CarePlan | null;
      if (!plan || written.has(`CarePlan/${doc.id}`) || followUps.has(doc.id) || agreementState(plan) !== 'current') continue;
      if (!subject || normaliseReference(plan.subject?.reference) !== subject) continue;
      // The server's own change: only the agreement status moves, so the plan stays as valid as it was.
      followUps.set(doc.id, { type: 'CarePlan', id: doc.id, resource: markAgreementStale(plan), expect: doc.versionId, current: doc });
    }
  }
  return { writes: amended, followUps: [...followUps.values()] };
}
