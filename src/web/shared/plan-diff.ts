/**
 * What changed in a plan between the version the patient agreed to and the
 * current one, in the terms a patient thinks in: measures added, removed or
 * changed (what, who, when), goals, the contact person and coordinator, the
 * follow-up date and the plan period. The server says *whether* the agreement
 * is stale (src/plans/agreed-content.ts); this says *what* changed.
 *
 * Measures have no required identity in FHIR (CarePlan.activity has only the
 * optional Element.id), so they are paired by id where both versions carry
 * one, then by identical description, and what is left over pairs in order as
 * "changed"; the rest were added or removed.
 */
import { normaliseReference } from '../../auth/references.ts';
import { canonicalJson } from '../../canonical-json.ts';
import { EXTENSION } from '../../validation/canonical.ts';
import { contactPerson, coordinator, nextReview } from './plan.ts';

export type Aspect = 'description' | 'responsible' | 'timing' | 'principal' | 'other';

export type Change =
  | { kind: 'measure-added' | 'measure-removed'; text: string }
  | { kind: 'measure-changed'; text: string; before: string; aspects: Aspect[] }
  | { kind: 'goal-added' | 'goal-removed' | 'goal-changed'; text: string }
  | { kind: 'contact-changed' | 'coordinator-changed'; before?: string; after?: string }
  | { kind: 'review-changed'; before?: string; after?: string }
  | { kind: 'period-changed' };

type Activity = fhir4.CarePlanActivity;

const describe = (a: Activity): string => a.detail?.description ?? a.detail?.code?.text ?? a.reference?.display ?? '';
const refs = (rs: fhir4.Reference[] | undefined): string => (rs ?? []).map((r) => normaliseReference(r.reference) ?? r.display ?? '').sort().join('|');
const timing = (a: Activity): string => canonicalJson({ t: a.detail?.scheduledTiming ?? null, p: a.detail?.scheduledPeriod ?? null, s: a.detail?.scheduledString ?? null });
const principal = (a: Activity): string => refs(a.detail?.extension?.flatMap((e) => (e.url === EXTENSION.principal && e.valueReference ? [e.valueReference] : [])));
/** The agreed part of a measure: progress (status, notes, outcomes) is not a change to the plan. */
const substance = (a: Activity): string => {
  const { progress: _p, outcomeCodeableConcept: _o, outcomeReference: _r, ...rest } = a;
  const { status: _s, statusReason: _sr, ...detail } = a.detail ?? {};
  return canonicalJson({ ...rest, ...(a.detail ? { detail } : {}) });
};

function aspectsOf(before: Activity, after: Activity): Aspect[] {
  const out: Aspect[] = [];
  if (describe(before) !== describe(after)) out.push('description');
  if (refs(before.detail?.performer) !== refs(after.detail?.performer)) out.push('responsible');
  if (timing(before) !== timing(after)) out.push('timing');
  if (principal(before) !== principal(after)) out.push('principal');
  if (out.length === 0 && substance(before) !== substance(after)) out.push('other');
  return out;
}

function pairMeasures(before: Activity[], after: Activity[]): { pairs: [Activity, Activity][]; added: Activity[]; removed: Activity[] } {
  const left = [...before];
  const right = [...after];
  const pairs: [Activity, Activity][] = [];
  const take = (match: (a: Activity, b: Activity) => boolean): void => {
    for (let i = 0; i < left.length; ) {
      const j = right.findIndex((b) => match(left[i]!, b));
      if (j < 0) {
        i++;
        continue;
      }
      pairs.push([left[i]!, right[j]!]);
      left.splice(i, 1);
      right.splice(j, 1);
    }
  };
  take((a, b) => a.id !== undefined && a.id === b.id);
  take((a, b) => (a.id === undefined || b.id === undefined) && describe(a) === describe(b));
  // What is left on both sides, in order: the same measure reworded.
  while (left.length > 0 && right.length > 0) pairs.push([left.shift()!, right.shift()!]);
  return { pairs, added: right, removed: left };
}

const goalText = (g: fhir4.Goal | undefined, ref: string): string => g?.description?.text ?? g?.description?.coding?.[0]?.display ?? ref;
/** The part of a Goal that was agreed to (as src/plans/agreed-content.ts judges it): words, targets, start, what it addresses, whether pursued. */
const goalSubstance = (g: fhir4.Goal | undefined): string =>
  canonicalJson(g ? { d: g.description, t: g.target ?? null, s: g.startDate ?? null, a: g.addresses ?? null, pursued: !['cancelled', 'rejected', 'entered-in-error'].includes(g.lifecycleStatus) } : null);

export interface DiffInput {
  agreed: fhir4.CarePlan;
  current: fhir4.CarePlan;
  /** The goals as they were when the patient agreed, and as they are now, by `Goal/id`. */
  goalsThen: Map<string, fhir4.Goal>;
  goalsNow: Map<string, fhir4.Goal>;
}

export function planChanges({ agreed, current, goalsThen, goalsNow }: DiffInput): Change[] {
  const out: Change[] = [];
  const m = pairMeasures(agreed.activity ?? [], current.activity ?? []);
  for (const a of m.removed) out.push({ kind: 'measure-removed', text: describe(a) });
  for (const a of m.added) out.push({ kind: 'measure-added', text: describe(a) });
  for (const [b, a] of m.pairs) {
    const aspects = aspectsOf(b, a);
    if (aspects.length > 0) out.push({ kind: 'measure-changed', text: describe(a), before: describe(b), aspects });
  }

  const goalRefs = (p: fhir4.CarePlan): string[] => (p.goal ?? []).flatMap((g) => normaliseReference(g.reference) ?? []);
  const then = new Set(goalRefs(agreed));
  const now = new Set(goalRefs(current));
  for (const g of then) if (!now.has(g)) out.push({ kind: 'goal-removed', text: goalText(goalsThen.get(g), g) });
  for (const g of now) {
    if (!then.has(g)) out.push({ kind: 'goal-added', text: goalText(goalsNow.get(g), g) });
    else if (goalsThen.has(g) && goalSubstance(goalsThen.get(g)) !== goalSubstance(goalsNow.get(g))) out.push({ kind: 'goal-changed', text: goalText(goalsNow.get(g), g) });
  }

  const name = (r: fhir4.Reference | undefined): string | undefined => r?.display ?? normaliseReference(r?.reference);
  const cBefore = contactPerson(agreed);
  const cAfter = contactPerson(current);
  if (canonicalJson(cBefore ?? null) !== canonicalJson(cAfter ?? null)) out.push({ kind: 'contact-changed', ...opt('before', name(cBefore?.party)), ...opt('after', name(cAfter?.party)) });
  if (normaliseReference(coordinator(agreed)?.reference) !== normaliseReference(coordinator(current)?.reference)) {
    out.push({ kind: 'coordinator-changed', ...opt('before', name(coordinator(agreed))), ...opt('after', name(coordinator(current))) });
  }
  if (nextReview(agreed) !== nextReview(current)) out.push({ kind: 'review-changed', ...opt('before', nextReview(agreed)), ...opt('after', nextReview(current)) });
  if (canonicalJson(agreed.period ?? null) !== canonicalJson(current.period ?? null)) out.push({ kind: 'period-changed' });
  return out;
}

function opt<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
