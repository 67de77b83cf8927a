/**
 * One AccessRecord → one FHIR R4 AuditEvent (https://hl7.org/fhir/R4/auditevent.html),
 * coded as a RESTful operation with the interaction as subtype.
 */
import type { CallContext } from '../auth/principal.ts';
import type { AccessAction, AccessRecord } from '../store/index.ts';

const SUBTYPE: Record<AccessAction, { code: string; action: fhir4.AuditEvent['action'] }> = {
  read: { code: 'read', action: 'R' },
  vread: { code: 'vread', action: 'R' },
  search: { code: 'search-type', action: 'E' },
  history: { code: 'history-instance', action: 'R' },
  create: { code: 'create', action: 'C' },
  update: { code: 'update', action: 'U' },
  patch: { code: 'patch', action: 'U' },
  delete: { code: 'delete', action: 'D' },
  transaction: { code: 'transaction', action: 'E' },
  operation: { code: 'operation', action: 'E' },
  // A Subscription's notification discloses the resource to its owner: a read on their behalf (issue 14).
  notify: { code: 'read', action: 'R' },
};

/** Event outcome codes: 0 success, 4 minor failure (we use it for refused access), 8 serious failure. */
const OUTCOME: Record<AccessRecord['outcome'], fhir4.AuditEvent['outcome']> = { success: '0', refused: '4', failed: '8' };

export function toAuditEvent(ctx: CallContext, rec: AccessRecord, recorded: Date): fhir4.AuditEvent {
  const { principal } = ctx;
  const sub = SUBTYPE[rec.action];
  const what = new Set([...rec.entities, ...rec.patients]);
  const entity: fhir4.AuditEventEntity[] = [...what].map((ref) => ({
    what: { reference: ref },
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: ref.startsWith('Patient/') ? '1' : '2' },
    ...(ref.startsWith('Patient/') ? { role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' } } : {}),
  }));
  if (rec.query !== undefined) {
    entity.push({
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2' },
      description: `${rec.type} ${rec.action}`,
      query: Buffer.from(rec.query, 'utf8').toString('base64'),
    });
  }
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: sub.code }, ...(rec.operation ? [{ system: 'https://samplan.org/fhir/CodeSystem/operation', code: rec.operation }] : [])],
    action: sub.action,
    recorded: recorded.toISOString(),
    outcome: OUTCOME[rec.outcome],
    outcomeDesc: `${rec.status}${rec.detail ? ` ${rec.detail}` : ''}`.slice(0, 500),
    agent: [
      {
        ...(principal.fhirUser ? { who: { reference: principal.fhirUser } } : { who: { display: principal.sub } }),
        altId: principal.sub,
        requestor: true,
        // One policy per granted scope: AuditEvent.agent.policy is a uri, and a uri has no spaces.
        ...(principal.scope.trim() ? { policy: principal.scope.trim().split(/\s+/) } : {}),
        ...(ctx.ip ? { network: { address: ctx.ip, type: '2' as const } } : {}),
      },
    ],
    source: { observer: { display: 'samplan' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }] },
    entity,
  };
}
