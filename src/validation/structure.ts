/**
 * Stage 1: the resource against the FHIR R4 JSON Schema, with ajv's errors
 * turned into OperationOutcome issues whose expression is a FHIR path
 * (`CarePlan.activity[2].detail.status`), not a JSON pointer.
 *
 * Issue types (https://hl7.org/fhir/R4/valueset-issue-type.html):
 * unknown element or wrong JSON type → structure; missing element → required;
 * a primitive in the wrong format → value; a code outside a required
 * binding → code-invalid.
 */
import type { ErrorObject } from 'ajv';
import type { Issue } from '../errors.ts';
import { ACCEPTED_TYPES } from './canonical.ts';
import { schemaValidator } from './schema.ts';

/** `/activity/2/detail/status` under CarePlan → `CarePlan.activity[2].detail.status`. */
export function fhirPath(resourceType: string, pointer: string): string {
  let out = resourceType;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`;
  }
  return out;
}

function primitiveName(schemaPath: string): string | undefined {
  return /#\/definitions\/([a-z][A-Za-z0-9]*)\//.exec(schemaPath)?.[1];
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function toIssue(type: string, e: ErrorObject): Issue | undefined {
  const at = fhirPath(type, e.instancePath);
  const err = (code: Issue['code'], diagnostics: string, expression = at): Issue => ({ severity: 'error', code, diagnostics, expression: [expression] });
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return err('required', `${at}.${String(params.missingProperty)} is required`, `${at}.${String(params.missingProperty)}`);
    case 'additionalProperties':
      return err('structure', `Unknown element '${String(params.additionalProperty)}' in ${at}`, `${at}.${String(params.additionalProperty)}`);
    case 'type':
      return err('structure', `${at} must be ${params.type === 'object' ? 'an object' : params.type === 'array' ? 'an array' : `a JSON ${String(params.type)}`}, got ${show(e.data)}`);
    case 'minItems':
      return err('structure', `${at} is an empty array; FHIR JSON leaves out empty elements`);
    case 'minProperties':
      return err('structure', `${at} is an empty object; every element has a value or children (ele-1)`);
    case 'pattern':
    case 'samplanValidDate': {
      const prim = primitiveName(e.schemaPath);
      return err('value', `${show(e.data)} is not a valid ${prim ?? 'value'} (${at})`);
    }
    case 'enum':
      return err('code-invalid', `${show(e.data)} is not one of ${(params.allowedValues as unknown[]).map(String).join(', ')} (${at})`);
    case 'const':
      return err('value', `${at} must be ${show(params.allowedValue)}, got ${show(e.data)}`);
    case 'minimum':
      return err('value', `${at} must be ≥ ${String(params.limit)}, got ${show(e.data)}`);
    case 'if':
      return undefined; // the failing `then` branch reports the real problem
    default:
      return err('structure', `${at}: ${e.message ?? e.keyword}`);
  }
}

/** Structure issues of a resource; an empty list means the JSON is FHIR R4 of an accepted type. */
export function structureIssues(resource: unknown): Issue[] {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    return [{ severity: 'error', code: 'structure', diagnostics: 'A FHIR resource is a JSON object' }];
  }
  const type = (resource as { resourceType?: unknown }).resourceType;
  if (typeof type !== 'string' || type === '') {
    return [{ severity: 'error', code: 'required', diagnostics: 'resourceType is required', expression: ['Resource.resourceType'] }];
  }
  const validate = schemaValidator(type);
  if (!validate) {
    return [
      {
        severity: 'error',
        code: 'not-supported',
        diagnostics: `samplan does not accept ${type} (accepted: ${ACCEPTED_TYPES.join(', ')})`,
        expression: [`${type}`],
      },
    ];
  }
  if (validate(resource)) return [];
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    const issue = toIssue(type, e);
    if (!issue) continue;
    const key = `${issue.code}|${issue.expression?.[0] ?? ''}|${issue.diagnostics ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}
