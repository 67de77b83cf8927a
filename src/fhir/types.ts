/**
 * A FHIR interaction is a plain function (request, services) → response;
 * src/fhir/http.ts adapts Express to it, and tests can call it directly.
 */
import type { CallContext } from '../auth/principal.ts';
import type { Store } from '../store/index.ts';

export interface FhirRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the FHIR base, split: ["CarePlan", "123", "_history", "2"]. */
  path: string[];
  /** Query parameters in order; repeated names stay repeated. */
  query: [string, string][];
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** Parsed JSON body (undefined when none). */
  body?: unknown;
  /** Why the body could not be read (bad JSON, media type, charset): raised once the scopes are checked. */
  bodyError?: unknown;
  ctx: CallContext;
}

export interface FhirResponse {
  status: number;
  body?: fhir4.FhirResource | fhir4.Bundle | fhir4.OperationOutcome | fhir4.CapabilityStatement;
  headers?: Record<string, string>;
}

/** What runs between a parsed resource and the store: validation and plan rules (DESIGN: HTTP → fhir → rules → store). */
export interface WriteChecks {
  /**
   * Throws a FhirError (400/422) for an invalid resource; returns the resource
   * to store, which plan rules may amend (e.g. marking an agreement stale).
   */
  beforeWrite(ctx: CallContext, current: fhir4.FhirResource | null, next: fhir4.FhirResource): Promise<fhir4.FhirResource>;
  /** $validate: all issues, nothing stored. */
  validate(resource: unknown, profile?: string): Promise<fhir4.OperationOutcomeIssue[]>;
}

export interface FhirServices {
  store: Store;
  checks: WriteChecks;
  /** Custom operations, by "Type/$name" (instance) — e.g. "CarePlan/$agree". */
  operations: Map<string, InstanceOperation>;
  /**
   * Operations that only read, by "Type/$name" (instance), answered on GET and
   * POST, also on a type samplan does not store (Measure/$evaluate-measure).
   */
  queryOperations?: Map<string, InstanceOperation>;
  /** Extra CapabilityStatement content (profiles, operations, search parameters) from other capabilities. */
  capabilityExtras: CapabilityExtras;
}

export type InstanceOperation = (req: FhirRequest, type: string, id: string, svc: FhirServices) => Promise<FhirResponse>;

export interface CapabilityExtras {
  /** Supported profiles per type. */
  profiles: Record<string, string[]>;
  /** Operation name → definition canonical, per type. */
  operations: Record<string, { name: string; definition: string }[]>;
}
