/**
 * The sync endpoints as plain functions (DESIGN.md "Sync: GET /sync/status,
 * POST /sync/run (admin scope)"), so tests can call them without HTTP and the
 * Express adapter (src/sync-http.ts) stays a thin shell. All three need the
 * admin scope (status shows other people's conflicting values); a
 * notification may instead carry the narrow notify scope.
 */
import { ADMIN_SCOPE, NOTIFY_SCOPE, hasScope, insufficientScope, type CallContext } from '../auth/index.ts';
import { FhirError, fail } from '../errors.ts';
import type { AuditTrail } from '../store/index.ts';
import type { CycleResult, SyncEngine, SyncStatus } from './engine.ts';

export interface SyncControl {
  status(ctx: CallContext): Promise<SyncStatus | { enabled: false; reason: string }>;
  /** One full cycle now; answers when it is done. */
  run(ctx: CallContext): Promise<CycleResult>;
  /**
   * An R4 rest-hook Subscription notification (https://hl7.org/fhir/R4/subscription.html#2.46.7.1):
   * whatever its payload (none, the resource, a Bundle), it means "something changed": pull now.
   */
  notify(ctx: CallContext): Promise<void>;
}

const NOT_CONFIGURED = 'Sync is not configured: set FHIR_SYNC_URL (README, "Sync")';

/** The admin scope, or for a notification also the narrow scope a Subscription's token should carry. */
function requireScope(ctx: CallContext, notify: boolean): void {
  if (hasScope(ctx.principal, ADMIN_SCOPE) || (notify && hasScope(ctx.principal, NOTIFY_SCOPE))) return;
  throw insufficientScope(notify ? `${NOTIFY_SCOPE} or ${ADMIN_SCOPE}` : ADMIN_SCOPE);
}

/**
 * `audit`: where each call and each refusal is recorded, like every access to
 * the store (the status shows conflicting values from patients' plans).
 */
export function syncControl(engine: SyncEngine | undefined, audit?: AuditTrail): SyncControl {
  const audited = async <T>(ctx: CallContext, operation: string, work: () => Promise<T>, entities: (r: T) => string[] = () => []): Promise<T> => {
    const base = { action: 'operation' as const, operation, type: 'Sync', patients: [] };
    try {
      requireScope(ctx, operation === 'sync-notify');
      const result = await work();
      await audit?.record(ctx, { ...base, entities: entities(result), outcome: 'success', status: 200 });
      return result;
    } catch (err) {
      const e = err instanceof FhirError ? err : undefined;
      await audit?.record(ctx, { ...base, entities: [], outcome: e && e.status < 500 ? 'refused' : 'failed', status: e?.status ?? 500, detail: e?.message ?? 'internal error' });
      throw err;
    }
  };
  const configured = (): SyncEngine => engine ?? fail('conflict', NOT_CONFIGURED, { code: 'not-supported' });
  return {
    status: (ctx) =>
      audited(ctx, 'sync-status', async () => (engine ? engine.status() : { enabled: false as const, reason: NOT_CONFIGURED }), (r) =>
        'conflicts' in r ? [...new Set(r.conflicts.map((c) => c.resource))] : []),
    run: (ctx) => audited(ctx, 'sync-run', () => configured().runOnce()),
    notify: (ctx) => audited(ctx, 'sync-notify', async () => configured().soon()),
  };
}
