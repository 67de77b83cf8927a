/** read, vread, update (incl. update-as-create), delete: https://hl7.org/fhir/R4/http.html */
import { fail } from '../../errors.ts';
import { checkId, resourceBody } from '../resource-body.ts';
import { ifMatchVersion, prefer } from '../headers.ts';
import { resourceResponse } from '../responses.ts';
import type { FhirRequest, FhirResponse, FhirServices } from '../types.ts';
import { performWrite } from '../write-pipeline.ts';

export async function read(req: FhirRequest, type: string, id: string, svc: FhirServices): Promise<FhirResponse> {
  const doc = await svc.store.read(req.ctx, type, checkId(id));
  return resourceResponse(req.ctx.baseUrl, doc, 200);
}

export async function vread(req: FhirRequest, type: string, id: string, vid: string, svc: FhirServices): Promise<FhirResponse> {
  if (!/^\d{1,9}$/.test(vid)) fail('not-found', `${type}/${id} has no version '${vid}'`);
  const doc = await svc.store.vread(req.ctx, type, checkId(id), Number(vid));
  return resourceResponse(req.ctx.baseUrl, doc, 200);
}

/**
 * PUT Type/id. The body's id must equal the URL's (400 otherwise); a resource
 * that does not exist yet is created with the client's id (201).
 */
export async function update(req: FhirRequest, type: string, id: string, svc: FhirServices): Promise<FhirResponse> {
  const body = resourceBody(req.body, type);
  checkId(id);
  if (body.id === undefined) fail('invalid', `The resource must carry id '${id}' to be updated at ${type}/${id}`, { code: 'required', expression: `${type}.id` });
  if (body.id !== id) fail('invalid', `The resource's id '${body.id}' does not match the URL's id '${id}'`, { expression: `${type}.id` });
  const { doc, created } = await performWrite(req, svc, { type, id, action: 'update', clientId: true, ifMatch: ifMatchVersion(req), build: () => body });
  return resourceResponse(req.ctx.baseUrl, doc, created ? 201 : 200, prefer(req));
}

/** DELETE Type/id: writes a tombstone version; deleting again changes nothing. */
export async function remove(req: FhirRequest, type: string, id: string, svc: FhirServices): Promise<FhirResponse> {
  checkId(id);
  const current = await svc.store.currentForWrite(req.ctx, 'delete', type, id);
  // Deleting what never existed: 404 (https://hl7.org/fhir/R4/http.html#delete).
  if (!current) fail('not-found', `${type}/${id} is not known`);
  if (current.deleted) return { status: 204, headers: { ETag: `W/"${current.versionId}"` } };
  const { doc } = await performWrite(req, svc, { type, id, action: 'delete', ifMatch: ifMatchVersion(req), build: () => null });
  return { status: 204, headers: { ETag: `W/"${doc.versionId}"` } };
}
