/**
 * The composition root: one place that wires store, access policy, audit,
 * validation and plan rules into the FhirServices the HTTP layer uses.
 */
import { CareTeamPolicy } from './auth/policy.ts';
import { StoredAuditTrail } from './audit/index.ts';
import type { FhirServices, WriteChecks } from './fhir/types.ts';
import { Store, type Database } from './store/index.ts';
import { writeChecks } from './checks.ts';

export function buildServices(db: Database, checks: WriteChecks = writeChecks()): FhirServices {
  const store = new Store(db.versions, new CareTeamPolicy(db.versions), new StoredAuditTrail(db.versions));
  return { store, checks, operations: new Map(), capabilityExtras: { profiles: {}, operations: {} } };
}
