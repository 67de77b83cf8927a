/**
 * What every write goes through between the HTTP layer and the store
 * (DESIGN.md: HTTP → fhir → rules → store): validation, then plan rules.
 */
import { fail } from './errors.ts';
import type { WriteChecks } from './fhir/types.ts';

export function writeChecks(): WriteChecks {
  return {
    async beforeWrite(_ctx, _current, next) {
      if (typeof next.resourceType !== 'string') fail('invalid', 'resourceType is required', { code: 'required' });
      return next;
    },
    async validate() {
      return [];
    },
  };
}
