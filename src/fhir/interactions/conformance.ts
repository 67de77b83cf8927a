/**
 * samplan's own conformance resources — the StructureDefinitions, ValueSets,
 * CodeSystems, SearchParameters, OperationDefinitions and the indicators'
 * Measures in `profiles/`, as
 * the validator loaded them — served read-only at the FHIR base, so a
 * receiver fetches what samplan validates against from samplan itself
 * (https://hl7.org/fhir/R4/structuredefinition.html, "canonical URLs").
 *
 * Public like `/fhir/metadata`: they hold no personal data, and a client
 * needs them before it holds a token. Read by id, and search by `url`
 * (optionally `version`) or `_id`.
 */
import { fail, quote } from '../../errors.ts';
import { conformanceResources } from '../../validation/index.ts';
import type { FhirResponse } from '../types.ts';

export const CONFORMANCE_TYPES: ReadonlySet<string> = new Set(['StructureDefinition', 'ValueSet', 'CodeSystem', 'SearchParameter', 'OperationDefinition', 'Measure']);

const SEARCH_PARAMS = new Set(['url', 'version', '_id', '_count', '_format']);

type Canonical = fhir4.FhirResource & { id?: string; url?: string; version?: string };

function ofType(type: string): Canonical[] {
  return (conformanceResources() as Canonical[]).filter((r) => r.resourceType === type);
}

export function readConformance(type: string, id: string): FhirResponse {
  const found = ofType(type).find((r) => r.id === id);
  if (!found) fail('not-found', `${type}/${id} is not known`);
  return { status: 200, body: found, headers: { ETag: `W/"${found.version ?? '1'}"` } };
}

/** `url` and `version` match exactly (canonical URLs are compared as strings); `_id` by id. */
export function searchConformance(type: string, query: [string, string][], base: string): FhirResponse {
  let matches = ofType(type);
  for (const [name, value] of query) {
    if (!SEARCH_PARAMS.has(name)) fail('invalid', `Search parameter ${quote(name)} is not supported for ${type} (supported: url, version, _id)`);
    const values = value.split(',');
    if (name === 'url') matches = matches.filter((r) => r.url !== undefined && values.includes(r.url));
    if (name === 'version') matches = matches.filter((r) => r.version !== undefined && values.includes(r.version));
    if (name === '_id') matches = matches.filter((r) => r.id !== undefined && values.includes(r.id));
  }
  const bundle: fhir4.Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    total: matches.length,
    link: [{ relation: 'self', url: `${base}/${type}${query.length ? `?${new URLSearchParams(query).toString()}` : ''}` }],
    entry: matches.map((r) => ({ fullUrl: `${base}/${type}/${r.id ?? ''}`, resource: r, search: { mode: 'match' } })),
  };
  return { status: 200, body: bundle };
}

/** The CapabilityStatement entries for these types: read and search by url, and the operations on them (a Measure's $evaluate-measure). */
export function conformanceCapabilities(operations: Record<string, { name: string; definition: string }[]> = {}): fhir4.CapabilityStatementRestResource[] {
  return [...CONFORMANCE_TYPES].map((type) => ({
    ...(operations[type]?.length ? { operation: operations[type] } : {}),
    type,
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    versioning: 'no-version',
    readHistory: false,
    updateCreate: false,
    searchParam: [
      { name: 'url', type: 'uri', definition: 'http://hl7.org/fhir/SearchParameter/conformance-url' },
      { name: 'version', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/conformance-version' },
      { name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
    ],
  }));
}
