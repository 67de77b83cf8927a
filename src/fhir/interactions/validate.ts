/** $validate at type and instance level: https://hl7.org/fhir/R4/resource-operation-validate.html — nothing is stored. */
import { fail, outcome } from '../../errors.ts';
import type { FhirRequest, FhirResponse, FhirServices } from '../types.ts';

function unwrap(body: unknown): { resource: unknown; profile?: string } {
  const b = body as fhir4.Parameters | undefined;
  if (b?.resourceType !== 'Parameters') return { resource: body };
  const resource = b.parameter?.find((p) => p.name === 'resource')?.resource;
  const profile = b.parameter?.find((p) => p.name === 'profile')?.valueUri ?? b.parameter?.find((p) => p.name === 'profile')?.valueCanonical;
  if (!resource) fail('invalid', "Parameters for $validate need a 'resource' parameter", { expression: 'Parameters.parameter' });
  return { resource, ...(profile ? { profile } : {}) };
}

export async function validate(req: FhirRequest, type: string, id: string | undefined, svc: FhirServices): Promise<FhirResponse> {
  const { resource, profile } = unwrap(req.body);
  const rt = (resource as { resourceType?: unknown } | undefined)?.resourceType;
  if (rt !== type) fail('invalid', `$validate on ${type} was given a ${typeof rt === 'string' ? rt : 'body without resourceType'}`, { expression: 'resourceType' });
  if (id !== undefined && (resource as { id?: unknown }).id !== id) fail('invalid', `The resource's id does not match ${type}/${id}`, { expression: `${type}.id` });
  const issues = await svc.checks.validate(resource, profile ?? req.query.find(([k]) => k === 'profile')?.[1]);
  const result = issues.length > 0 ? issues : [{ severity: 'information' as const, code: 'informational' as const, diagnostics: 'No issues found' }];
  return { status: 200, body: outcome(result) };
}
