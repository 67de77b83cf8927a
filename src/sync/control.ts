/**
 * The sync endpoints as plain functions (DESIGN.md "Sync: GET /sync/status,
 * POST /sync/run (admin scope)"), so tests can call them without HTTP and the
 * Express adapter (src/sync-http.ts) stays a thin shell. All three need the
 * admin scope: status shows other people's conflicting values.
 */
import { ADMIN_SCOPE, hasScope, insufficientScope, type CallContext } from '../auth/index.ts';
import { fail } from '../errors.ts';
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

function requireAdmin(ctx: CallContext): void {
  if (!hasScope(ctx.principal, ADMIN_SCOPE)) throw insufficientScope(ADMIN_SCOPE);
}

export function syncControl(engine: SyncEngine | undefined): SyncControl {
  return {
    async status(ctx) {
      requireAdmin(ctx);
      return engine ? engine.status() : { enabled: false, reason: NOT_CONFIGURED };
    },
    async run(ctx) {
      requireAdmin(ctx);
      if (!engine) fail('conflict', NOT_CONFIGURED, { code: 'not-supported' });
      return engine.runOnce();
    },
    async notify(ctx) {
      requireAdmin(ctx);
      if (!engine) fail('conflict', NOT_CONFIGURED, { code: 'not-supported' });
      engine.soon();
    },
  };
}
