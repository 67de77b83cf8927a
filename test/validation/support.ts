/** Helpers shared by the validation tests. */
import type { ValidateFunction } from 'ajv';

/** ajv errors of a resource against a schema set, as `keyword at path` strings (empty: valid). */
export function structureIssuesWith(set: (type: string) => ValidateFunction | undefined, resource: { resourceType: string }): string[] {
  const v = set(resource.resourceType);
  if (!v) return [`no schema for ${resource.resourceType}`];
  return v(resource) ? [] : (v.errors ?? []).map((e) => `${e.keyword} at ${e.instancePath}: ${e.message ?? ''}`);
}
