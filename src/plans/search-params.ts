/**
 * Search parameters the plan rules define, registered with the store's
 * registry by the composition root (src/services.ts).
 */
import type { SearchParam } from '../store/index.ts';
import { dateRange } from '../store/index.ts';
import { SEARCH_PARAMETER } from '../validation/index.ts';
import { agreementState } from './agreement.ts';
import { nextReviewDate } from './review.ts';

/** `review-due`: plans whose next follow-up date is on or before a date (`review-due=le2026-03-31`). */
export const reviewDue: SearchParam = {
  name: 'review-due',
  type: 'date',
  definition: SEARCH_PARAMETER.reviewDue,
  documentation: 'The next follow-up date of the plan (samplan-next-review); le<date> finds plans due for review by then',
  range: (r) => {
    const date = r.resourceType === 'CarePlan' ? nextReviewDate(r) : undefined;
    return date ? dateRange(date) : undefined;
  },
};

/**
 * `agreement-status`: whether the patient agreed to the plan as it is
 * (`current`), to an older version (`stale`), or never (`none`). A search
 * parameter, so a care team's worklist finds the plans waiting for the
 * patient by the index rather than by reading every plan.
 */
export const agreementStatus: SearchParam = {
  name: 'agreement-status',
  type: 'token',
  definition: SEARCH_PARAMETER.agreementStatus,
  documentation: 'none | current | stale: the patient agreed to the plan as it is, to an older version, or not at all (samplan-agreement)',
  values: (r) => (r.resourceType === 'CarePlan' ? [agreementState(r)] : []),
};
