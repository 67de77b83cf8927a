/** Checks on a request body that claims to be a FHIR resource. */
import { fail, quote } from '../errors.ts';
import { isServedType } from '../store/index.ts';

const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/; // https://hl7.org/fhir/R4/datatypes.html#id

export const isId = (id: string): boolean => ID_RE.test(id);

export function checkId(id: string, where = 'id'): string {
  if (!isId(id)) fail('invalid', `${quote(id)} is not a valid FHIR id (1-64 of A-Z a-z 0-9 - .)`, { expression: where });
  return id;
}

export function checkType(type: string): string {
  if (!isServedType(type)) fail('not-found', `Resource type ${quote(type)} is not supported here`, { code: 'not-supported' });
  return type;
}

/** The body as a resource of the type in the URL (https://hl7.org/fhir/R4/http.html#create, #update). */
export function resourceBody(body: unknown, type: string): fhir4.FhirResource {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    fail('invalid', 'The request body must be a FHIR resource (a JSON object)', { code: 'structure' });
  }
  const rt = (body as { resourceType?: unknown }).resourceType;
  if (typeof rt !== 'string') fail('invalid', 'The resource has no resourceType', { code: 'required', expression: 'resourceType' });
  if (rt !== type) fail('invalid', `resourceType ${quote(rt)} does not match the URL's type '${type}'`, { code: 'invalid', expression: 'resourceType' });
  return body as fhir4.FhirResource;
}
