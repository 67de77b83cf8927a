/**
 * What every write goes through between the HTTP layer and the store
 * (DESIGN.md: HTTP → fhir → rules → store): structure and profile validation,
 * then the plan rules (lifecycle, agreement carried over or marked stale).
 */
import type { WriteChecks } from './fhir/types.ts';
import { checkWrite } from './plans/index.ts';
import { validateResource } from './validation/index.ts';

export function writeChecks(): WriteChecks {
  return {
    async beforeWrite(_ctx, current, next) {
      return checkWrite(current, next);
    },
    async validate(resource, profile) {
      return validateResource(resource, profile ? { profile } : {});
    },
  };
}
