/**
 * Subscription.criteria (https://hl7.org/fhir/R4/subscription.html#criteria):
 * "Type?search", parsed by samplan's own search parser and judged on each
 * changed version with the store's in-memory matcher, so a criterion means
 * exactly what the same search means. Anything that does not select
 * resources of a watched type (paging, sorting, includes, other types) is
 * refused with an OperationOutcome saying so.
 */
import { FhirError, fail, quote, type Issue } from '../errors.ts';
import { NOTIFIED_TYPES, parseSearch, type Filter } from '../store/index.ts';
import { matches } from '../store/search/matches.ts';

export interface Criteria {
  type: string;
  filter: Filter;
}

/** Result parameters: they shape a search's answer, and a notification has none. */
const NOT_CRITERIA = /^_(count|offset|sort|include|revinclude|summary|total|elements|contained|containedType|format|has)$/;

const refuse = (diagnostics: string): never => fail('unprocessable', diagnostics, { code: 'not-supported', expression: 'Subscription.criteria' });

export function parseCriteria(criteria: string): Criteria {
  const [type = '', query = ''] = criteria.split(/\?(.*)/s, 2);
  if (!NOTIFIED_TYPES.has(type)) refuse(`Subscription.criteria ${quote(criteria)}: samplan notifies changes of ${[...NOTIFIED_TYPES].join(', ')}; the criteria must start with one of them and '?'`);
  const params = [...new URLSearchParams(query)];
  for (const [name] of params) {
    if (NOT_CRITERIA.test(name.split(':')[0] ?? '')) refuse(`Subscription.criteria: ${quote(name)} shapes a search's answer and selects nothing; leave it out`);
  }
  try {
    const { filter } = parseSearch(type, params, false);
    matches({}, filter); // the matcher refuses any shape it cannot judge: find out now, not at the first change
    return { type, filter };
  } catch (err) {
    if (!(err instanceof FhirError)) refuse(`Subscription.criteria ${quote(criteria)} cannot be judged on a change`);
    const why = (err as FhirError).outcome.issue.map((i: Issue) => i.diagnostics).join('; ');
    return refuse(`Subscription.criteria ${quote(criteria)} is not a search samplan supports: ${why}`);
  }
}

/** Does a version (its projection's shape: `_id` is the resource id) meet the criteria? */
export function meets(criteria: Criteria, doc: { type: string; id: string; sp: unknown }): boolean {
  return doc.type === criteria.type && matches({ ...doc, _id: doc.id }, criteria.filter);
}
