/** create and conditional create / update / search-by-identifier: https://hl7.org/fhir/R4/http.html#ccreate */
import { randomUUID } from 'node:crypto';
import { fail } from '../../errors.ts';
import { parseSearch, type ResourceDoc } from '../../store/index.ts';
import { ifMatchVersion, prefer } from '../headers.ts';
import { checkId, resourceBody } from '../resource-body.ts';
import { resourceResponse } from '../responses.ts';
import type { FhirRequest, FhirResponse, FhirServices } from '../types.ts';
import { performWrite } from '../write-pipeline.ts';

/**
 * The matches of a conditional interaction's criteria. Criteria must be
 * non-empty and are parsed strictly: an unknown parameter is an error, never
 * silently "matches everything".
 */
export async function conditionalMatches(req: FhirRequest, type: string, criteria: [string, string][], svc: FhirServices): Promise<ResourceDoc[]> {
  if (criteria.length === 0) fail('invalid', 'A conditional request needs search criteria');
  const q = parseSearch(type, [...criteria, ['_count', '2']], false);
  const found = await svc.store.search(req.ctx, type, q, new URLSearchParams(criteria).toString());
  return found.docs;
}

export function criteriaOf(raw: string): [string, string][] {
  return [...new URLSearchParams(raw.startsWith('?') ? raw.slice(1) : raw)];
}

/** POST Type. The server assigns the id (a client's id is ignored, as R4 requires). */
export async function create(req: FhirRequest, type: string, svc: FhirServices): Promise<FhirResponse> {
  const body = resourceBody(req.body, type);
  const pref = prefer(req);
  const condition = req.headers['if-none-exist'];
  if (condition !== undefined) {
    const matches = await conditionalMatches(req, type, criteriaOf(condition), svc);
    if (matches.length > 1) fail('precondition-failed', `If-None-Exist '${condition}' matches ${matches.length} resources`, { code: 'multiple-matches' });
    const [existing] = matches;
    if (existing) return resourceResponse(req.ctx.baseUrl, existing, 200, pref, 'A matching resource exists; nothing was created');
  }
  const { doc } = await performWrite(req, svc, { type, id: randomUUID(), fresh: true, action: 'create', build: () => body });
  return resourceResponse(req.ctx.baseUrl, doc, 201, pref);
}

/** PUT Type?criteria: update the one match, create when none, 412 when several. */
export async function conditionalUpdate(req: FhirRequest, type: string, svc: FhirServices): Promise<FhirResponse> {
  const body = resourceBody(req.body, type);
  const matches = await conditionalMatches(req, type, req.query, svc);
  if (matches.length > 1) fail('precondition-failed', `The criteria match ${matches.length} resources`, { code: 'multiple-matches' });
  const [match] = matches;
  if (match && body.id !== undefined && body.id !== match.id) fail('invalid', `The resource's id '${body.id}' is not the id of the match (${match.id})`, { expression: `${type}.id` });
  const id = checkId(match?.id ?? body.id ?? randomUUID());
  const { doc, created } = await performWrite(req, svc, { type, id, action: match ? 'update' : 'create', clientId: !match && body.id !== undefined, ifMatch: ifMatchVersion(req), build: () => body });
  return resourceResponse(req.ctx.baseUrl, doc, created ? 201 : 200, prefer(req));
}
