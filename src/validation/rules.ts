/**
 * Stage 2, on structurally valid resources: the core R4 invariants, the
 * rules of the samplan profiles that apply (constraints and cardinalities),
 * samplan extensions against their own definitions, codes of samplan
 * CodeSystems, and the check digits of national identifiers.
 */
import type { Issue } from '../errors.ts';
import { BASE } from './canonical.ts';
import { checkIdentifier } from './identifiers.ts';
import { getRegistry, type Profile, type Rule } from './profiles.ts';
import { walk, type WalkNode } from './walk.ts';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isResourceRoot(n: WalkNode): boolean {
  return n.value === n.resource;
}

function evaluate(rule: Rule, node: WalkNode, top: Json, issues: Issue[]): void {
  let ok: boolean;
  try {
    const result = rule.evaluate(node.value, { resource: node.resource, rootResource: top });
    ok = result.length === 1 && result[0] === true;
  } catch (e) {
    // A rule that cannot be evaluated is a defect in samplan, not in the resource: say so, do not refuse.
    issues.push({
      severity: 'warning',
      code: 'exception',
      diagnostics: `${rule.key} could not be evaluated: ${(e as Error).message}`,
      expression: [node.instancePath],
    });
    return;
  }
  if (ok) return;
  issues.push({
    severity: rule.severity,
    code: rule.issueType,
    diagnostics: `${rule.key}: ${rule.human} (${rule.source})`,
    expression: [rule.location ? `${node.instancePath}.${rule.location}` : node.instancePath],
  });
}

function count(parent: Json, key: string): number {
  const v = parent[key];
  return v === undefined ? 0 : Array.isArray(v) ? v.length : 1;
}

function checkCardinalities(profile: Profile, nodes: WalkNode[], issues: Issue[], extensionNode?: WalkNode): void {
  for (const c of profile.cardinalities) {
    const i = c.path.lastIndexOf('.');
    const parentPath = c.path.slice(0, i);
    const key = c.path.slice(i + 1);
    const parents = extensionNode
      ? parentPath === 'Extension'
        ? [extensionNode]
        : []
      : nodes.filter((n) => !n.contained && n.elementPath === parentPath);
    for (const p of parents) {
      if (!isObject(p.value)) continue;
      const n = count(p.value, key);
      const at = `${p.instancePath}.${key}`;
      if (n < c.min) {
        issues.push({ severity: 'error', code: 'required', diagnostics: `${at} is required (min ${c.min}) by ${c.source}`, expression: [at] });
      } else if (c.max !== '*' && n > Number(c.max)) {
        issues.push({ severity: 'error', code: 'structure', diagnostics: `${at} may occur at most ${c.max} time(s) by ${c.source}, found ${n}`, expression: [at] });
      }
    }
  }
}

function checkExtensions(nodes: WalkNode[], top: Json, issues: Issue[]): void {
  const { profiles } = getRegistry();
  for (const n of nodes) {
    if (n.fhirType !== 'Extension' || !isObject(n.value)) continue;
    const url = n.value.url;
    if (typeof url !== 'string') continue;
    if (n.elementPath.endsWith('.modifierExtension')) {
      // https://hl7.org/fhir/R4/extensibility.html#modifierExtension: a system must refuse modifiers it does not understand.
      issues.push({ severity: 'error', code: 'structure', diagnostics: `samplan does not understand the modifier extension ${url}`, expression: [n.instancePath] });
      continue;
    }
    const def = profiles.get(url);
    if (!def || def.type !== 'Extension') {
      if (url.startsWith(`${BASE}/`)) {
        issues.push({ severity: 'error', code: 'structure', diagnostics: `Unknown samplan extension ${url}`, expression: [n.instancePath] });
      }
      continue;
    }
    const usedOn = n.elementPath.slice(0, n.elementPath.lastIndexOf('.'));
    if (!def.contexts.includes(usedOn)) {
      issues.push({
        severity: 'error',
        code: 'structure',
        diagnostics: `Extension ${url} is defined for ${def.contexts.join(', ')}, not ${usedOn}`,
        expression: [n.instancePath],
      });
      continue;
    }
    for (const rule of def.rules) if (rule.context === 'Extension') evaluate(rule, n, top, issues);
    checkCardinalities(def, nodes, issues, n);
  }
}

function checkCodesAndIdentifiers(nodes: WalkNode[], issues: Issue[]): void {
  const { codeSystems } = getRegistry();
  for (const n of nodes) {
    if (!isObject(n.value)) continue;
    const { system, value, code } = n.value;
    if (n.fhirType === 'Identifier' && typeof system === 'string' && typeof value === 'string') {
      const problem = checkIdentifier(system, value);
      if (problem) issues.push({ severity: 'error', code: 'value', diagnostics: `${problem} (${system})`, expression: [`${n.instancePath}.value`] });
    }
    if (n.fhirType === 'Coding' && typeof system === 'string') {
      const codes = codeSystems.get(system);
      if (codes && (typeof code !== 'string' || !codes.has(code))) {
        issues.push({
          severity: 'error',
          code: 'code-invalid',
          diagnostics: `${JSON.stringify(code)} is not a code of ${system} (known: ${[...codes].join(', ')})`,
          expression: [`${n.instancePath}.code`],
        });
      }
    }
  }
}

/** All stage-2 issues of a structurally valid resource held to `profiles`. */
export function ruleIssues(resource: Json, profiles: Profile[]): Issue[] {
  const issues: Issue[] = [];
  const nodes = walk(resource);
  const byPath = new Map<string, WalkNode[]>();
  const byType = new Map<string, WalkNode[]>();
  for (const n of nodes) {
    byPath.set(n.elementPath, [...(byPath.get(n.elementPath) ?? []), n]);
    byType.set(n.fhirType, [...(byType.get(n.fhirType) ?? []), n]);
  }
  for (const rule of getRegistry().coreRules) {
    const targets =
      rule.context === 'DomainResource'
        ? nodes.filter(isResourceRoot)
        : rule.context === 'Extension' || rule.context === 'Reference'
          ? (byType.get(rule.context) ?? [])
          : (byPath.get(rule.context) ?? []);
    for (const n of targets) evaluate(rule, n, resource, issues);
  }
  for (const profile of profiles) {
    for (const rule of profile.rules) {
      for (const n of byPath.get(rule.context) ?? []) if (!n.contained) evaluate(rule, n, resource, issues);
    }
    checkCardinalities(profile, nodes, issues);
  }
  checkExtensions(nodes, resource, issues);
  checkCodesAndIdentifiers(nodes, issues);
  return issues;
}
