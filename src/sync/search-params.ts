/**
 * `sync-conflict=true`: the plans, teams and goals with a sync conflict nobody
 * resolved yet. A search parameter, so the conflicts are found by the index
 * (/sync/status lists them; a care team's worklist can ask for them) instead
 * of by reading every resource.
 */
import type { SearchParam } from '../store/index.ts';
import { EXTENSION, SEARCH_PARAMETER } from '../validation/index.ts';

export const syncConflict: SearchParam = {
  name: 'sync-conflict',
  type: 'token',
  definition: SEARCH_PARAMETER.syncConflict,
  documentation: 'true: the resource carries a sync conflict nobody has resolved yet (samplan-sync-conflict)',
  values: (r) => ((r as fhir4.DomainResource).extension?.some((e) => e.url === EXTENSION.syncConflict) ? ['true'] : []),
};
