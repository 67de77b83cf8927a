/**
 * SMART on FHIR clinical scopes → ScopeGrant[], and the type-level decision
 * `permits(principal, type, interaction)`.
 *
 * Grammar (SMART App Launch 2.x, "Clinical Scope Syntax"):
 * https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html#scopes-for-requesting-clinical-data
 *
 *   ( patient | user | system ) "/" ( ResourceType | "*" ) "." ( v2 letters | v1 suffix )
 *
 * - v2 letters: a non-empty, in-order subset of `cruds` (`.rs`, `.cu`, `.cruds`).
 *   Out-of-order or unknown letters (`.dus`, `.rw`) are ignored, as the spec allows
 *   ("Scope requests with undefined or out of order interactions MAY be ignored").
 * - v1 suffixes, mapped as the spec says servers SHOULD:
 *   `.read` ⇒ `.rs`, `.write` ⇒ `.cud`, `.*` ⇒ `.cruds`.
 * - v2 finer-grained constraints (`patient/Observation.rs?category=…`) are ignored:
 *   samplan cannot enforce the constraint, and honouring the scope without it
 *   would grant more than the user consented to. Ignoring only ever grants less.
 * - Anything else (`openid`, `fhirUser`, `launch/patient`, `offline_access`,
 *   extension scopes such as `__samplan.agree`) yields no grant; the raw scope
 *   string is kept on the Principal so `hasScope` and audit can still see it.
 *
 * Scopes are case-sensitive and space-delimited (RFC 6749 §3.3).
 */
import type { Interaction, Principal, PrincipalKind, ScopeGrant } from './principal.ts';

export const INTERACTIONS: readonly Interaction[] = ['c', 'r', 'u', 'd', 's'];

/**
 * Extension scope (SMART "Extensibility": custom scopes start with `__`) that lets
 * a patient record their agreement to their own plan: `POST CarePlan/{id}/$agree`.
 * Scope letters cannot express an operation, and `.u` would let a patient update
 * the whole plan, so agreement is its own scope.
 * https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html#extensibility
 */
export const AGREE_SCOPE = '__samplan.agree';

/** Extension scope for running the service itself: `/sync/status`, `/sync/run` (DESIGN.md "admin scope"). */
export const ADMIN_SCOPE = '__samplan.admin';

/** Extension scope for the sync server's Subscription alone: `POST /sync/notify`, nothing else. */
export const NOTIFY_SCOPE = '__samplan.sync-notify';

const V2 = /^(patient|user|system)\/([A-Z][A-Za-z]{0,63}|\*)\.(c?r?u?d?s?)$/;
const V1 = /^(patient|user|system)\/([A-Z][A-Za-z]{0,63}|\*)\.(read|write|\*)$/;

const V1_MAP: Record<string, readonly Interaction[]> = {
  read: ['r', 's'],
  write: ['c', 'u', 'd'],
  '*': ['c', 'r', 'u', 'd', 's'],
};

/** Split a `scope` claim (space-delimited string, or an array of such strings) into tokens. */
export function scopeTokens(scope: string | readonly string[] | undefined): string[] {
  if (scope === undefined) return [];
  const list = typeof scope === 'string' ? [scope] : scope;
  return list.flatMap((s) => s.split(/\s+/)).filter((s) => s.length > 0);
}

/** One scope token → a grant, or undefined when it is not a clinical scope samplan understands. */
export function parseScope(token: string): ScopeGrant | undefined {
  const v2 = V2.exec(token);
  if (v2 && v2[3]!.length > 0) {
    return {
      context: v2[1] as ScopeGrant['context'],
      type: v2[2]!,
      interactions: new Set(v2[3]!.split('') as Interaction[]),
    };
  }
  const v1 = V1.exec(token);
  if (v1) {
    return {
      context: v1[1] as ScopeGrant['context'],
      type: v1[2]!,
      interactions: new Set(V1_MAP[v1[3]!]),
    };
  }
  return undefined;
}

/** All clinical grants in a scope string; tokens that are not clinical scopes are skipped. */
export function parseScopes(scope: string | readonly string[] | undefined): ScopeGrant[] {
  const out: ScopeGrant[] = [];
  for (const token of scopeTokens(scope)) {
    const grant = parseScope(token);
    if (grant) out.push(grant);
  }
  return out;
}

/**
 * Which scope context counts for a kind of principal.
 *
 * - patient → `patient/` only. The patient's own compartment is the only data a
 *   patient scope can reach; the store narrows to it.
 * - relatedPerson → `patient/` only. Next of kin act on behalf of one patient
 *   and see a part of that patient's compartment; a SMART app for them asks for
 *   `patient/` scopes "for the patient in context", and that patient is the one
 *   their RelatedPerson record names (the store narrows to it). `user/` scopes
 *   would say "whatever this user may see", which for a relative is the same
 *   small set, so nothing is gained by accepting them, and a token meant for a
 *   practitioner's app is not quietly honoured.
 * - practitioner → `user/` only. `patient/` scopes in a practitioner's token mean
 *   "for the patient in launch context"; samplan does not carry launch context,
 *   so they are not a licence for any patient, let alone others.
 * - system → `system/` only (SMART Backend Services).
 */
export function scopeContextFor(kind: PrincipalKind): ScopeGrant['context'] {
  switch (kind) {
    case 'patient':
    case 'relatedPerson':
      return 'patient';
    case 'practitioner':
      return 'user';
    case 'system':
      return 'system';
  }
}

/**
 * Type-level scope check: does some grant in the principal's own context cover
 * `type` (exactly, or by `*`) and `interaction`? Default deny.
 *
 * This says only what the token allows. SMART scopes delegate a user's rights and
 * never extend them: whether this patient may see this plan, or this practitioner
 * is on this care team, is decided separately (membership.ts) on the data.
 *
 * `type` may be `'*'` for system-level interactions (e.g. whole-system search or
 * history); only a wildcard grant covers that.
 */
export function permits(principal: Principal, type: string, interaction: Interaction): boolean {
  const context = scopeContextFor(principal.kind);
  return principal.scopes.some(
    (g) => g.context === context && (g.type === '*' || (type !== '*' && g.type === type)) && g.interactions.has(interaction),
  );
}

/** The interactions the principal's scopes allow on `type` (for CapabilityStatement-like summaries and audit). */
export function permittedInteractions(principal: Principal, type: string): Set<Interaction> {
  return new Set(INTERACTIONS.filter((i) => permits(principal, type, i)));
}

/** True when the raw scope string holds exactly this token, e.g. `hasScope(p, AGREE_SCOPE)`. */
export function hasScope(principal: Principal, token: string): boolean {
  return scopeTokens(principal.scope).includes(token);
}
