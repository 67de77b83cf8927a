/**
 * The AuditTrail stores AuditEvents through the versioned store directly (not
 * the guarded one: recording an access is not itself an access). AuditEvent is
 * read-only through the API, so a stored event can never be edited or deleted.
 */
import { randomUUID } from 'node:crypto';
import type { CallContext } from '../auth/principal.ts';
import type { AccessRecord, AuditTrail, VersionedStore } from '../store/index.ts';
import { toAuditEvent } from './audit-event.ts';

export class StoredAuditTrail implements AuditTrail {
  constructor(private readonly versions: VersionedStore) {}

  async record(ctx: CallContext, entry: AccessRecord): Promise<void> {
    const event = toAuditEvent(ctx, entry, this.versions.now());
    await this.versions.write({ type: 'AuditEvent', id: randomUUID(), resource: event, expect: 0, fresh: true });
  }
}
