/** Computes a resource's `sp` (search values) document from the parameter registry. */
import type { SearchValues } from '../models.ts';
import { hiField, loField, searchParamsOf } from './params.ts';
import { uniq } from './values.ts';

export function searchValuesOf(resource: fhir4.FhirResource): SearchValues {
  const sp: SearchValues = {};
  for (const p of searchParamsOf(resource.resourceType)) {
    if (p.type === 'date') {
      const r = p.range(resource);
      if (r) {
        sp[loField(p.name)] = r.lo;
        sp[hiField(p.name)] = r.hi;
      }
    } else {
      const v = uniq(p.values(resource));
      if (v.length > 0) sp[p.name] = v;
    }
  }
  return sp;
}
