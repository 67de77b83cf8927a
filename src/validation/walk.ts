/**
 * A typed walk over a FHIR resource in JSON: every element with its element
 * path in the definition (`CarePlan.activity.detail.performer`), its FHIR type
 * (`Reference`) and its instance path (`CarePlan.activity[2].detail.performer[0]`),
 * the form OperationOutcome.issue.expression uses
 * (https://hl7.org/fhir/R4/operationoutcome-definitions.html#OperationOutcome.issue.expression).
 *
 * Types come from fhirpath.js's R4 model (path → type tables generated from
 * the R4 StructureDefinitions), so no big definition file is loaded.
 */
import { createRequire } from 'node:module';

export interface WalkNode {
  /** The JSON value of the element (one item of an array). */
  value: unknown;
  /** FHIR type: `Reference`, `BackboneElement`, `code`, or a resource type at a resource root. */
  fhirType: string;
  /** Path in the definition: `CarePlan.activity.detail`, or `Reference.identifier` inside a data type. */
  elementPath: string;
  /** Path to this instance: `CarePlan.activity[0].detail`. */
  instancePath: string;
  /** Inside a contained resource (profiles of the container do not apply there). */
  contained: boolean;
  /** The resource this element belongs to (%resource in FHIRPath): the contained one, or the top. */
  resource: Record<string, unknown>;
}

type TypeInfo = string | { code: string };

const require = createRequire(import.meta.url);
const path2Type = require('fhirpath/fhir-context/r4/path2Type.json') as Record<string, TypeInfo>;
const definedElsewhere = new Map<string, string>(
  Object.entries(require('fhirpath/fhir-context/r4/pathsDefinedElsewhere.json') as Record<string, string>),
);

function typeOf(elementPath: string): { code: string; path: string } | undefined {
  const direct = path2Type[elementPath];
  if (direct !== undefined) return { code: typeof direct === 'string' ? direct : direct.code, path: elementPath };
  // contentReference (e.g. Bundle.entry.link → Bundle.link): resolve the last segment's definition.
  const i = elementPath.lastIndexOf('.');
  const parent = definedElsewhere.get(elementPath.slice(0, i));
  if (parent !== undefined) return typeOf(`${parent}${elementPath.slice(i)}`);
  const elsewhere = definedElsewhere.get(elementPath);
  if (elsewhere !== undefined) return typeOf(elsewhere);
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Backbone-like types keep the definition path; data types restart at their own name. */
function childDefinitionPath(type: { code: string; path: string }): string {
  return type.code === 'BackboneElement' || type.code === 'Element' ? type.path : type.code;
}

/** Every element of a resource, parents before children. Unknown elements are skipped (the schema reports them). */
export function walk(resource: Record<string, unknown>): WalkNode[] {
  const out: WalkNode[] = [];
  const visit = (
    value: unknown,
    fhirType: string,
    elementPath: string,
    instancePath: string,
    owner: Record<string, unknown>,
    defPath: string,
  ): void => {
    const contained = owner !== resource;
    out.push({ value, fhirType, elementPath, instancePath, contained, resource: owner });
    if (!isObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'resourceType') continue;
      const items = Array.isArray(child) ? child : [child];
      const indexed = Array.isArray(child);
      if (key.startsWith('_')) {
        // Extensions of primitives (`_status`): plain Elements at the primitive's path.
        items.forEach((item, i) => {
          if (isObject(item)) visit(item, 'Element', `${elementPath}.${key.slice(1)}`, `${instancePath}.${key}${indexed ? `[${i}]` : ''}`, owner, 'Element');
        });
        continue;
      }
      const type = typeOf(`${defPath}.${key}`);
      if (type === undefined) continue;
      items.forEach((item, i) => {
        const ip = `${instancePath}.${key}${indexed ? `[${i}]` : ''}`;
        if (key === 'contained' && isObject(item) && typeof item.resourceType === 'string') {
          visit(item, item.resourceType, item.resourceType, ip, item, item.resourceType);
        } else {
          visit(item, type.code, `${elementPath}.${key}`, ip, owner, childDefinitionPath(type));
        }
      });
    }
  };
  const type = String(resource.resourceType);
  visit(resource, type, type, type, resource, type);
  return out;
}
