/**
 * The status changes the lifecycle allows (lifecycle.ts explains them), as
 * data with no imports: the plan rules and the care team's page (which offers
 * only these) read the same table.
 */
export type PlanStatus = fhir4.CarePlan['status'];

export const PLAN_STATUSES: readonly PlanStatus[] = ['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown'];

/** Allowed status changes; staying in the same status is not a change and always allowed. */
export const TRANSITIONS: Readonly<Record<PlanStatus, readonly PlanStatus[]>> = {
  draft: ['active', 'entered-in-error'],
  active: ['on-hold', 'completed', 'revoked', 'entered-in-error'],
  'on-hold': ['active', 'completed', 'revoked', 'entered-in-error'],
  completed: ['entered-in-error'],
  revoked: ['entered-in-error'],
  'entered-in-error': [],
  unknown: ['entered-in-error'],
};

/** Statuses a plan may be created with (active / on-hold only with a current agreement). */
export const INITIAL_STATUSES: readonly PlanStatus[] = ['draft', 'active', 'on-hold'];
