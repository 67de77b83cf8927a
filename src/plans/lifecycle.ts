/**
 * The status lifecycle of a shared plan (CarePlan.status, request-status:
 * https://hl7.org/fhir/R4/valueset-request-status.html):
 *
 *   draft ──► active ◄──► on-hold
 *               │            │
 *               ├──► completed ◄┤
 *               └──► revoked  ◄─┘
 *   any ──► entered-in-error (terminal)
 *
 * A plan becomes active — from draft, or again from on-hold — only with a
 * current patient agreement (not one that applies to an older version).
 * samplan never sets `unknown`. A new plan starts as draft; it may start
 * active or on-hold only with a current agreement it brings along (an import,
 * see AgreementOptions.trustIncoming). Versions that sync takes in from the
 * server are judged by src/sync/inbound.ts instead: it sees only the newest
 * version there, so it asks that the new status be reachable, not one step away.
 */
import { FhirError } from '../errors.ts';
import { agreementState } from './agreement.ts';

import { INITIAL_STATUSES, PLAN_STATUSES, TRANSITIONS, type PlanStatus } from './transitions.ts';

export { INITIAL_STATUSES, PLAN_STATUSES, TRANSITIONS, type PlanStatus };

/** Whether the lifecycle allows the change, agreement aside. `from` undefined means a new plan. */
export function canTransition(from: PlanStatus | undefined, to: PlanStatus): boolean {
  if (from === undefined) return INITIAL_STATUSES.includes(to);
  return from === to || TRANSITIONS[from].includes(to);
}

function refuse(diagnostics: string): never {
  throw new FhirError('unprocessable', { code: 'business-rule', diagnostics, expression: 'CarePlan.status' });
}

/**
 * Throws FhirError('unprocessable', business-rule at CarePlan.status) when the
 * change from `before` (undefined for a create) to `after` is not allowed.
 * `after` must already carry the server's agreement (agreementAfterChange).
 */
export function assertTransition(before: fhir4.CarePlan | undefined, after: fhir4.CarePlan): void {
  const from = before?.status;
  const to = after.status;
  const fromText = from ?? 'none (new plan)';
  if (!canTransition(from, to)) {
    const allowed = from === undefined ? INITIAL_STATUSES : TRANSITIONS[from];
    refuse(`CarePlan status cannot change from ${fromText} to ${to}; allowed from ${fromText}: ${allowed.length > 0 ? allowed.join(', ') : 'none'}`);
  }
  const becomesActive = (to === 'active' || (from === undefined && to === 'on-hold')) && from !== to;
  if (becomesActive) {
    const state = agreementState(after);
    if (state === 'none') refuse(`CarePlan status cannot change from ${fromText} to ${to}: the patient has not agreed to the plan ($agree)`);
    if (state === 'stale') refuse(`CarePlan status cannot change from ${fromText} to ${to}: the patient's agreement applies to an older version of the plan; renew it with $agree`);
  }
}
