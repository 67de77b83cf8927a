/**
 * The route of a request path, for the log: literal segments kept, ids
 * replaced. `/fhir/CarePlan/abc/_history/2` → `/fhir/CarePlan/:id/_history/:id`.
 * Ids in a path (a Patient id can be a personnummer) never reach the log.
 */
import { isServedType } from './store/index.ts';

const LITERALS = new Set(['fhir', 'metadata', 'sync', 'status', 'run', 'notify', 'healthz', 'readyz', '.well-known', 'smart-configuration', 'Bundle', 'app', 'team', 'dev-idp']);

export function routePattern(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path
    .split('/')
    .map((seg) => (seg === '' || LITERALS.has(seg) || isServedType(seg) || /^[_$][a-z][a-z-]*$/.test(seg) ? seg : ':id'))
    .join('/');
}
