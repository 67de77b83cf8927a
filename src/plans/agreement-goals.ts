/**
 * What the patient agreed to includes the goals the plan names, as they were
 * then. `$agree` pins them: its Provenance names the exact version of each
 * (Provenance.entity, role `source`: "an entity used in this activity",
 * https://hl7.org/fhir/R4/provenance-definitions.html#Provenance.entity).
 *
 * A goal change marks the agreement of the plans naming it stale
 * (goal-change.ts) in the same all-or-nothing write as the goal. That write
 * looks for the plans before it stores the goal, and `$agree` reads the goals
 * before it stores the agreement; without multi-document transactions
 * (FerretDB v1) the two can cross, each missing the other. So each side also
 * looks again after its own write — the goal writer at the plans
 * (staleForGoalWrites), `$agree` at the goals (goalsMovedSince) — and of two
 * writers that each write first and read afterwards, at least one sees the
 * other's write. Whichever sees it marks the agreement stale.
 */
import type { CallContext } from '../auth/principal.ts';
import { FhirError } from '../errors.ts';
import { normaliseReference, type GuardedWrite, type Store, type VersionDoc } from '../store/index.ts';
import { agreementOf, markAgreementStale } from './agreement.ts';
import { changedGoals, goalWriteMatters, type PlansWithGoal } from './goal-change.ts';

/** A goal as `$agree` read it. */
export interface PinnedGoal {
  id: string;
  versionId: number;
  goal: fhir4.Goal;
}

/** The id of a Goal a plan names, relatively or by this server's absolute URL. */
function goalId(ref: string | undefined, baseUrl: string): string | undefined {
  const n = normaliseReference(ref);
  const base = `${baseUrl.replace(/\/$/, '')}/Goal/`;
  const rel = n?.startsWith(base) ? `Goal/${n.slice(base.length)}` : n;
  const m = /^Goal\/([^/]+)$/.exec(rel ?? '');
  return m?.[1];
}

/**
 * The live goals of the plan's own patient that the plan names, read as
 * samplan (`service`): what was agreed does not depend on what the caller's
 * token may read.
 */
export async function goalsOfPlan(store: Store, service: CallContext, plan: fhir4.CarePlan): Promise<PinnedGoal[]> {
  const ids = [...new Set((plan.goal ?? []).flatMap((g) => goalId(g.reference, service.baseUrl) ?? []))];
  const out: PinnedGoal[] = [];
  for (const id of ids) {
    const doc = await store.lookup(service, 'Goal', id);
    const goal = doc?.resource as fhir4.Goal | undefined;
    if (doc && goal && normaliseReference(goal.subject?.reference) === normaliseReference(plan.subject?.reference)) out.push({ id, versionId: doc.versionId, goal });
  }
  return out;
}

/** The goal versions an agreement's Provenance pins (agreement.ts goalEntities), by goal id. */
export function pinsOf(provenance: fhir4.Provenance): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of provenance.entity ?? []) {
    const m = /^Goal\/([^/]+)\/_history\/(\d+)$/.exec(e.what.reference ?? '');
    if (m && e.role === 'source') out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** The pinned goals whose agreed content changed since (a new version that matters, or deleted). */
export async function goalsMovedSince(store: Store, service: CallContext, pins: readonly PinnedGoal[]): Promise<string[]> {
  const moved: string[] = [];
  for (const p of pins) {
    const now = await store.lookup(service, 'Goal', p.id);
    if (now?.versionId === p.versionId) continue;
    if (goalWriteMatters(p.goal, (now?.resource as fhir4.Goal | undefined) ?? null)) moved.push(p.id);
  }
  return moved;
}

/** Past this many lost races with other writers of the plan, the stale mark is given up on (as write-pipeline.ts gives up). */
const RETRIES = 12;

/**
 * Marks the plan's agreement stale as samplan, if it is still the current
 * agreement `provenance` recorded (a newer agreement stands on its own).
 * Redone on the newer version when someone writes the plan meanwhile.
 */
export async function markStaleAsService(store: Store, service: CallContext, planId: string, provenance: string): Promise<void> {
  for (let attempt = 1; attempt <= RETRIES; attempt++) {
    const doc = await store.lookup(service, 'CarePlan', planId);
    const plan = doc?.resource as fhir4.CarePlan | undefined;
    const a = plan && agreementOf(plan);
    if (!doc || !plan || a?.status !== 'current' || a.provenance.reference !== provenance) return;
    try {
      // Only the agreement status moves, so the plan stays as valid as it was.
      await store.write(service, 'update', { type: 'CarePlan', id: planId, resource: markAgreementStale(plan), expect: doc.versionId, current: doc });
      return;
    } catch (err) {
      if (!(err instanceof FhirError) || (err.kind !== 'precondition-failed' && err.kind !== 'conflict')) throw err;
    }
  }
}

/**
 * After goal writes were stored (`docs`, in the order of `writes`): a plan
 * naming a changed goal whose agreement is still current, and whose
 * Provenance pins an older version of that goal, was agreed to while the goal
 * changed — the agreement was written after this write looked for plans.
 * Its agreement is marked stale now. An agreement without pins (recorded
 * elsewhere, or before pins) was judged by the look before the write.
 */
export async function staleForGoalWrites(store: Store, service: CallContext, plansWithGoal: PlansWithGoal, writes: readonly GuardedWrite[], docs: readonly VersionDoc[]): Promise<void> {
  for (const goal of changedGoals(writes)) {
    const written = docs.find((d) => d.type === 'Goal' && d.id === goal);
    if (!written) continue;
    for (const doc of await plansWithGoal(goal)) {
      const plan = doc.deleted ? undefined : (doc.resource as fhir4.CarePlan);
      const a = plan && agreementOf(plan);
      const provenanceId = /^Provenance\/([^/]+)$/.exec(a?.provenance.reference ?? '')?.[1];
      if (a?.status !== 'current' || !provenanceId) continue;
      const provenance = (await store.lookup(service, 'Provenance', provenanceId))?.resource as fhir4.Provenance | undefined;
      const pinned = provenance && pinsOf(provenance).get(goal);
      if (pinned !== undefined && pinned < written.versionId) await markStaleAsService(store, service, doc.id, `Provenance/${provenanceId}`);
    }
  }
}
