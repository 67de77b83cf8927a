/**
 * PATCH Type/id with a JSON Patch document (RFC 6902,
 * https://hl7.org/fhir/R4/http.html#patch). The patch is applied to the
 * current version; the result goes through the same validation and plan
 * rules as an update, and nothing is stored when any step fails.
 */
import fjp, { type Operation } from 'fast-json-patch';
import { fail } from '../../errors.ts';
import { ifMatchVersion, prefer } from '../headers.ts';
import { checkId } from '../resource-body.ts';
import { resourceResponse } from '../responses.ts';
import type { FhirRequest, FhirResponse, FhirServices } from '../types.ts';
import { performWrite } from '../write-pipeline.ts';

const { applyPatch, deepClone, JsonPatchError } = fjp;

export function asPatch(body: unknown): Operation[] {
  if (!Array.isArray(body)) fail('invalid', 'A JSON Patch document must be a JSON array of operations', { code: 'structure' });
  body.forEach((op: unknown, i) => {
    const o = op as { op?: unknown; path?: unknown };
    if (typeof op !== 'object' || op === null || typeof o.op !== 'string' || typeof o.path !== 'string') {
      fail('invalid', `Patch operation ${i} needs string 'op' and 'path'`, { code: 'structure', expression: `[${i}]` });
    }
  });
  return body as Operation[];
}

/** Applies a patch to a copy; a failed `test` or an impossible operation is 422 (FHIR: the patch could not be applied). */
export function applyJsonPatch(resource: fhir4.FhirResource, ops: Operation[]): fhir4.FhirResource {
  let result: fhir4.FhirResource;
  try {
    result = applyPatch(deepClone(resource) as fhir4.FhirResource, ops, true, true).newDocument;
  } catch (err) {
    if (err instanceof JsonPatchError) {
      const failedTest = err.name === 'TEST_OPERATION_FAILED';
      fail('unprocessable', `${failedTest ? 'Patch test failed' : 'Patch cannot be applied'} at operation ${err.index ?? '?'}: ${err.message.split('\n')[0]}`, {
        code: failedTest ? 'conflict' : 'processing',
        expression: `[${err.index ?? 0}]`,
      });
    }
    // fast-json-patch refuses some paths (e.g. __proto__) with a plain TypeError: still the caller's patch at fault.
    fail('unprocessable', `Patch cannot be applied: ${String((err as Error).message).slice(0, 200)}`, { code: 'processing' });
  }
  if (result === null || typeof result !== 'object' || Array.isArray(result)) fail('unprocessable', 'The patch replaced the whole resource with something that is not one');
  if (result.resourceType !== resource.resourceType) fail('unprocessable', 'A patch may not change resourceType', { expression: 'resourceType' });
  if (result.id !== resource.id) fail('unprocessable', 'A patch may not change the id', { expression: `${resource.resourceType}.id` });
  return result;
}

export async function patch(req: FhirRequest, type: string, id: string, svc: FhirServices): Promise<FhirResponse> {
  checkId(id);
  const ops = asPatch(req.body);
  const { doc } = await performWrite(req, svc, {
    type,
    id,
    action: 'patch',
    ifMatch: ifMatchVersion(req),
    build: (current) => {
      if (!current) fail('not-found', `${type}/${id} is not known`);
      if (current.deleted) fail('gone', `${type}/${id} was deleted`);
      return applyJsonPatch(current.resource as fhir4.FhirResource, ops);
    },
  });
  return resourceResponse(req.ctx.baseUrl, doc, 200, prefer(req));
}
