/**
 * The conformance resources in `profiles/` (StructureDefinitions, CodeSystems,
 * ValueSets, SearchParameters, OperationDefinitions, and the indicators' Measures), loaded once, with every
 * FHIRPath constraint compiled once against the R4 model.
 *
 * A profile's rules are what its differential says
 * (https://hl7.org/fhir/R4/profiling.html#snapshot): the `constraint`s
 * (https://hl7.org/fhir/R4/elementdefinition-definitions.html#ElementDefinition.constraint)
 * and the min/max of elements that are not slices. Slice cardinalities are
 * stated as constraints as well, so the validator needs no slicing engine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { EXTENSION } from './canonical.ts';
import { readCoreRules } from './core-generate.ts';

export type IssueType = fhir4.OperationOutcomeIssue['code'];

/** A compiled FHIRPath expression: returns the evaluation result as a collection. */
export type Evaluator = (node: unknown, env: Record<string, unknown>) => unknown[];

export interface Rule {
  key: string;
  severity: 'error' | 'warning';
  human: string;
  expression: string;
  /** The profile (or core definition) the rule comes from. */
  source: string;
  /** Element path (`CarePlan.activity`) or data type name (`Extension`) the rule is evaluated on. */
  context: string;
  /** Appended to the instance path in the issue (`detail.performer`). */
  location?: string;
  issueType: IssueType;
  evaluate: Evaluator;
}

export interface Cardinality {
  /** Element path of the element counted, e.g. `CarePlan.activity.detail.performer`. */
  path: string;
  min: number;
  max: string;
  source: string;
}

export interface Profile {
  url: string;
  /** Resource type constrained, or `Extension`. */
  type: string;
  baseDefinition: string;
  /** Where an extension may be used (StructureDefinition.context expressions). */
  contexts: string[];
  rules: Rule[];
  cardinalities: Cardinality[];
}

type ConformanceResource =
  | fhir4.StructureDefinition
  | fhir4.CodeSystem
  | fhir4.ValueSet
  | fhir4.SearchParameter
  | fhir4.OperationDefinition
  | fhir4.Measure;

export const PROFILES_DIR = fileURLToPath(new URL('../../profiles/', import.meta.url));

function compile(context: string, expression: string): Evaluator {
  // The context as `base` gives fhirpath.js the element's type, so choice
  // elements (value[x]) and ofType() resolve correctly.
  const fn = fhirpath.compile({ base: context, expression }, r4);
  return (node, env) => fn(node, env) as unknown[];
}

function extensionValue(c: fhir4.ElementDefinitionConstraint, url: string): string | undefined {
  const e = c.extension?.find((x) => x.url === url);
  return e?.valueString ?? e?.valueCode;
}

function rulesOf(sd: fhir4.StructureDefinition): { rules: Rule[]; cardinalities: Cardinality[] } {
  const rules: Rule[] = [];
  const cardinalities: Cardinality[] = [];
  for (const el of sd.differential?.element ?? []) {
    const path = el.path;
    for (const c of el.constraint ?? []) {
      if (!c.expression) throw new Error(`${sd.url}: constraint ${c.key} has no expression`);
      const location = extensionValue(c, EXTENSION.constraintLocation);
      rules.push({
        key: c.key,
        severity: c.severity === 'warning' ? 'warning' : 'error',
        human: c.human,
        expression: c.expression,
        source: sd.url,
        context: path,
        ...(location !== undefined ? { location } : {}),
        issueType: (extensionValue(c, EXTENSION.constraintIssueType) as IssueType | undefined) ?? 'invariant',
        evaluate: compile(path, c.expression),
      });
    }
    const sliced = el.id?.includes(':') || el.sliceName !== undefined || path.endsWith('[x]');
    if (!sliced && path.includes('.') && ((el.min ?? 0) > 0 || (el.max !== undefined && el.max !== '*'))) {
      cardinalities.push({ path, min: el.min ?? 0, max: el.max ?? '*', source: sd.url });
    }
  }
  return { rules, cardinalities };
}

export interface Registry {
  profiles: Map<string, Profile>;
  /** CodeSystem url → its codes (all samplan CodeSystems are complete). */
  codeSystems: Map<string, Set<string>>;
  /** Core R4 invariants by context (element path or data type name). */
  coreRules: Rule[];
  resources: ConformanceResource[];
}

function load(): Registry {
  const resources = readdirSync(PROFILES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(`${PROFILES_DIR}${f}`, 'utf8')) as ConformanceResource);
  const profiles = new Map<string, Profile>();
  const codeSystems = new Map<string, Set<string>>();
  for (const r of resources) {
    if (r.resourceType === 'StructureDefinition') {
      profiles.set(r.url, {
        url: r.url,
        type: r.type,
        baseDefinition: r.baseDefinition ?? '',
        contexts: (r.context ?? []).map((c) => c.expression),
        ...rulesOf(r),
      });
    } else if (r.resourceType === 'CodeSystem' && r.url) {
      const codes = new Set<string>();
      const add = (cs: fhir4.CodeSystemConcept[] | undefined): void => {
        for (const c of cs ?? []) {
          codes.add(c.code);
          add(c.concept);
        }
      };
      add(r.concept);
      codeSystems.set(r.url, codes);
    }
  }
  const coreRules: Rule[] = readCoreRules().invariants.map((i) => ({
    ...i,
    source: `http://hl7.org/fhir/StructureDefinition/${i.context.split('.')[0]}`,
    issueType: 'invariant',
    evaluate: compile(i.context, i.expression),
  }));
  return { profiles, codeSystems, coreRules, resources };
}

let registry: Registry | undefined;

/** The loaded registry (loaded and compiled on first use). */
export function getRegistry(): Registry {
  registry ??= load();
  return registry;
}

/** A profile and the samplan profiles it derives from, most general first. */
export function profileChain(url: string): Profile[] {
  const { profiles } = getRegistry();
  const chain: Profile[] = [];
  for (let p = profiles.get(url); p !== undefined; p = profiles.get(p.baseDefinition)) {
    if (chain.includes(p)) break;
    chain.unshift(p);
  }
  return chain;
}

/** All conformance resources samplan defines, for serving them and for the CapabilityStatement. */
export function conformanceResources(): ConformanceResource[] {
  return structuredClone(getRegistry().resources);
}

/** samplan profiles per resource type, for CapabilityStatement.rest.resource.supportedProfile. */
export function supportedProfiles(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of getRegistry().profiles.values()) {
    if (p.type !== 'Extension') (out[p.type] ??= []).push(p.url);
  }
  return out;
}

/** samplan's own search parameters (review-due), for the CapabilityStatement and the store's indexer. */
export function searchParameters(): fhir4.SearchParameter[] {
  return conformanceResources().filter((r): r is fhir4.SearchParameter => r.resourceType === 'SearchParameter');
}
