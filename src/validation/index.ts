/**
 * Validation of the resources samplan accepts.
 *
 *   stage 1 — structure: the FHIR R4 JSON Schema (ajv). Errors here make the
 *             resource `invalid` (HTTP 400); stage 2 is skipped, since rules
 *             evaluated over malformed content only add noise.
 *   stage 2 — rules: core R4 invariants, the samplan profiles that apply
 *             (see select.ts), samplan extensions and codes, identifier check
 *             digits. Errors here make the resource `unprocessable` (HTTP 422).
 *
 * Every issue has a `code` (structure, required, value, invariant,
 * code-invalid; not-supported for an unknown type or profile) and an
 * `expression` naming the element, e.g. `CarePlan.activity[2].detail.performer`.
 */
import { FhirError, type Issue } from '../errors.ts';
import { ruleIssues } from './rules.ts';
import { selectProfiles } from './select.ts';
import { structureIssues } from './structure.ts';

export interface ValidateOptions {
  /** Validate against this profile (canonical URL) instead of the one the resource implies. */
  profile?: string;
}

export interface ValidationReport {
  /** All issues, errors and warnings, structure first. */
  issues: Issue[];
  /** True when the JSON Schema stage failed (→ 400); otherwise errors are profile/rule errors (→ 422). */
  structureFailed: boolean;
  /** Canonical URLs of the samplan profiles the resource was checked against. */
  profiles: string[];
}

export function validateDetailed(resource: unknown, opts: ValidateOptions = {}): ValidationReport {
  const structure = structureIssues(resource);
  if (structure.some((i) => i.severity === 'error')) return { issues: structure, structureFailed: true, profiles: [] };
  const r = resource as Record<string, unknown> & { resourceType: string };
  const selection = selectProfiles(r, opts.profile);
  const issues = [...structure, ...selection.issues, ...ruleIssues(r, selection.profiles)];
  return { issues, structureFailed: false, profiles: selection.profiles.map((p) => p.url) };
}

/** Every issue (errors and warnings) of a resource. Never throws for bad input. */
export function validateResource(resource: unknown, opts: ValidateOptions = {}): Issue[] {
  return validateDetailed(resource, opts).issues;
}

/**
 * Throws FhirError carrying all error issues: kind 'invalid' when the
 * structure is wrong, else 'unprocessable' when any rule is broken.
 * Returns the warnings otherwise (to pass on in a response if wanted).
 */
export function assertValid(resource: unknown, opts: ValidateOptions = {}): Issue[] {
  const report = validateDetailed(resource, opts);
  const errors = report.issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length > 0) throw new FhirError(report.structureFailed ? 'invalid' : 'unprocessable', errors);
  return report.issues;
}

/** Throws FhirError('invalid') when the JSON is not FHIR R4 of an accepted type (stage 1 only). */
export function assertStructure(resource: unknown): void {
  const errors = structureIssues(resource).filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new FhirError('invalid', errors);
}

/** An OperationOutcome for `$validate`: the issues, or a single 'informational' all-clear. */
export function validationOutcome(issues: Issue[]): fhir4.OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.length > 0 ? issues : [{ severity: 'information', code: 'informational', diagnostics: 'No issues found' }],
  };
}

export { selectProfiles, planKinds } from './select.ts';
export { checkIdentifier, SYSTEM as IDENTIFIER_SYSTEM } from './identifiers.ts';
export { conformanceResources, searchParameters, supportedProfiles } from './profiles.ts';
export { warmUp, schemaCompileMs } from './schema.ts';
export * from './canonical.ts';
