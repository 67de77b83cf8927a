/**
 * GET /metadata: https://hl7.org/fhir/R4/capabilitystatement.html
 * Built from the same registry the store searches with and the same route
 * table the router dispatches on, so it claims only what is implemented.
 */
import { INCLUDES, RESOURCE_TYPES, searchParamsOf } from '../../store/index.ts';
import type { FhirServices } from '../types.ts';
import { conformanceCapabilities } from './conformance.ts';

/** Types whose instances can only be written by samplan itself: Provenance from $agree, AuditEvent from the audit trail (never editable). */
export const READ_ONLY_TYPES = new Set<string>(['Provenance', 'AuditEvent']);

const RW: fhir4.CapabilityStatementRestResourceInteraction['code'][] = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type'];
const RO: fhir4.CapabilityStatementRestResourceInteraction['code'][] = ['read', 'vread', 'history-instance', 'history-type', 'search-type'];

export function capabilityStatement(baseUrl: string, svc: FhirServices, software: { name: string; version: string }): fhir4.CapabilityStatement {
  const extras = svc.capabilityExtras;
  const resource: fhir4.CapabilityStatementRestResource[] = RESOURCE_TYPES.map((type) => {
    const readOnly = READ_ONLY_TYPES.has(type);
    const r: fhir4.CapabilityStatementRestResource = {
      type,
      interaction: (readOnly ? RO : RW).map((code) => ({ code })),
      versioning: 'versioned-update',
      readHistory: true,
      updateCreate: !readOnly,
      conditionalCreate: !readOnly,
      conditionalUpdate: !readOnly,
      conditionalDelete: 'not-supported',
      conditionalRead: 'not-supported',
      referencePolicy: ['literal', 'local'],
      searchInclude: Object.keys(INCLUDES).filter((k) => k.startsWith(`${type}:`)),
      searchParam: [
        { name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
        { name: '_lastUpdated', type: 'date', definition: 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated' },
        ...searchParamsOf(type).map((p) => ({ name: p.name, type: p.type, definition: p.definition, documentation: p.documentation })),
      ],
    };
    const profiles = extras.profiles[type];
    if (profiles?.length) r.supportedProfile = profiles;
    const ops = extras.operations[type];
    if (ops?.length) r.operation = ops;
    return r;
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: { name: software.name, version: software.version },
    implementation: { description: 'samplan: shared care plans (SIP, patientkontrakt, individuell plan)', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        security: {
          cors: true,
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
          description: 'Bearer JWT with SMART scopes; see /.well-known/smart-configuration',
        },
        // The conformance resources samplan validates with, public and read-only (conformance.ts).
        resource: [...resource, ...conformanceCapabilities(extras.operations)],
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        operation: [{ name: 'validate', definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate' }],
      },
    ],
  };
}
