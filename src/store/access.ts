/**
 * The two seams every storage call passes through: who may do what
 * (AccessPolicy, implemented in src/auth) and the record of it (AuditTrail,
 * implemented in src/audit). The Store cannot be constructed without them.
 */
import type { CallContext, Interaction } from '../auth/principal.ts';
import type { FhirResource } from './models.ts';
import type { Filter } from './search/query.ts';

export interface AccessPolicy {
  /** Throws (403) unless the caller's scopes allow `interaction` on `type` at all. */
  require(ctx: CallContext, type: string, interaction: Interaction): void;
  /** A query that narrows `type` to what the caller may see; `{}` for everything. */
  narrowing(ctx: CallContext, type: string): Promise<Filter>;
  /**
   * Throws unless the caller may replace `current` (null: create) by `next`
   * (null: delete). Visibility of `current` has already been checked.
   */
  checkWrite(ctx: CallContext, type: string, current: FhirResource | null, next: FhirResource | null): Promise<void>;
  /**
   * Throws unless the caller may run the named operation (e.g. "$agree") on
   * `resource`, which they can already see. An operation is judged as a whole:
   * the writes it makes are not checked one by one.
   */
  checkOperation(ctx: CallContext, name: string, resource: FhirResource): Promise<void>;
  /**
   * Throws unless the caller may see figures computed over everyone's records
   * of `type` (e.g. a Measure's $evaluate-measure): what they see is counts,
   * never records, so it is not narrowed; who may ask at all is the question.
   */
  checkAggregate(ctx: CallContext, name: string, type: string): Promise<void>;
}

export type AccessAction = 'read' | 'vread' | 'search' | 'history' | 'create' | 'update' | 'patch' | 'delete' | 'transaction' | 'operation' | 'notify';

export interface AccessRecord {
  action: AccessAction;
  type: string;
  id?: string;
  versionId?: number;
  /** For operations: its name, e.g. "$agree". */
  operation?: string;
  /** The query string of a search or history. */
  query?: string;
  /** References to every resource returned or changed, "Type/id". */
  entities: string[];
  /** Patients whose records were touched, "Patient/id". */
  patients: string[];
  /** For each of `entities`, the patients it is about (none: not a patient's record). */
  entityPatients?: Record<string, string[]>;
  outcome: 'success' | 'refused' | 'failed';
  status: number;
  detail?: string;
}

export interface AuditTrail {
  record(ctx: CallContext, entry: AccessRecord): Promise<void>;
}
