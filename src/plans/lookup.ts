/**
 * How the plan rules that look past one resource (care-team-check.ts,
 * goal-change.ts) see the store: always through the guarded store, so every
 * look is access-checked.
 *
 *  - The CareTeam (and PractitionerRoles) a plan names are read as the
 *    caller: a write is never judged on records the caller may not see, and
 *    the outcome says nothing about them. These looks are part of the write
 *    and recorded with it, not as reads of their own.
 *  - The plans that reference a changed goal are found as samplan itself
 *    (a service principal): the agreement of every one of them must be marked
 *    stale, not only of those the caller happens to see.
 */
import type { CallContext } from '../auth/principal.ts';
import { FhirError } from '../errors.ts';
import { MAX_COUNT, parseSearch, type Store, type StoredVersion } from '../store/index.ts';
import type { RelatedReader } from './care-team-check.ts';
import type { PlansWithGoal } from './goal-change.ts';

/**
 * Records a rule needs, as the caller may see them (Store.lookup): absent,
 * deleted or not theirs to see all read as undefined. A token without the
 * read scope (403) is told so: the rule cannot be judged without reading.
 */
export function callerReader(store: Store, ctx: CallContext): RelatedReader {
  return {
    async read(type, id) {
      return (await store.lookup(ctx, type, id))?.resource ?? undefined;
    },
  };
}

export function plansWithGoal(store: Store, service: CallContext): PlansWithGoal {
  return async (goalId) => {
    const out = new Map<string, StoredVersion>();
    // A plan may name the goal relatively or by this server's absolute URL (the index keeps both as written).
    const forms = [`Goal/${goalId}`, `${service.baseUrl.replace(/\/$/, '')}/Goal/${goalId}`];
    // Paged by id, so a plan written meanwhile cannot push another out of the pages.
    for (let offset = 0; ; offset += MAX_COUNT) {
      const params: [string, string][] = [['goal', forms.join(',')], ['_sort', '_id'], ['_count', String(MAX_COUNT)], ['_offset', String(offset)], ['_total', 'none']];
      const found = await store.search(service, 'CarePlan', parseSearch('CarePlan', params, false), new URLSearchParams(params).toString());
      for (const d of found.docs) out.set(d.id, d);
      if (found.docs.length < MAX_COUNT) return [...out.values()];
    }
  };
}

/** The live plans that name a CareTeam, as far as the caller can see (read as the caller). */
export async function plansOfTeam(store: Store, ctx: CallContext, teamId: string): Promise<fhir4.CarePlan[]> {
  const params: [string, string][] = [['care-team', `CareTeam/${teamId}`], ['_count', String(MAX_COUNT)], ['_total', 'none']];
  try {
    const found = await store.search(ctx, 'CarePlan', parseSearch('CarePlan', params, false), new URLSearchParams(params).toString());
    return found.docs.flatMap((d) => (d.resource && !d.deleted ? [d.resource as fhir4.CarePlan] : []));
  } catch (err) {
    // A caller without CarePlan search scope cannot have plans judged: the plan writes will be.
    if (err instanceof FhirError && err.kind === 'forbidden') return [];
    throw err;
  }
}
