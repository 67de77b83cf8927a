/**
 * The AuditTrail stores AuditEvents through the versioned store directly (not
 * the guarded one: recording an access is not itself an access). AuditEvent is
 * read-only through the API, so a stored event can never be edited or deleted.
 */
import { randomUUID } from 'node:crypto';
import type { CallContext } from '../auth/principal.ts';
import type { AccessRecord, AuditTrail, VersionedStore } from '../store/index.ts';
import { toAuditEvent } from './audit-event.ts';
import { perPatient } from './per-patient.ts';

export class StoredAuditTrail implements AuditTrail {
  constructor(private readonly versions: VersionedStore) {}

  /** One AuditEvent, or one per patient when the access touched several (per-patient.ts). */
  async record(ctx: CallContext, entry: AccessRecord): Promise<void> {
    const at = this.versions.now();
    // All parts of one access in one insert: a search over many patients costs no more round trips than one.
    await this.versions.insertFresh(perPatient(entry).map((part) => ({ type: 'AuditEvent', id: randomUUID(), resource: toAuditEvent(ctx, part, at), expect: 0, fresh: true, writtenBy: 'system' })));
  }
}
