export { StoredAuditTrail } from './trail.ts';
export { toAuditEvent } from './audit-event.ts';
