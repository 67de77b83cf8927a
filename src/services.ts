/**
 * The composition root: one place that wires store, access policy, audit,
 * validation and plan rules into the FhirServices the HTTP layer uses.
 */
import { CareTeamPolicy } from './auth/policy.ts';
import { StoredAuditTrail } from './audit/index.ts';
import { writeChecks } from './checks.ts';
import { agreeOperation } from './fhir/interactions/agree.ts';
import { evaluateMeasureOperation } from './fhir/interactions/evaluate-measure.ts';
import type { FhirServices, WriteChecks } from './fhir/types.ts';
import { agreementStatus, reviewDue } from './plans/search-params.ts';
import { syncConflict } from './sync/search-params.ts';
import { registerSearchParam, searchParam, Store, SYNCED_TYPES, type Database } from './store/index.ts';
import { NO_SUBSCRIPTION_HOSTS, ownerParam, subscriptionChecks, type SubscriptionSettings } from './subscriptions/index.ts';
import { OPERATION, supportedProfiles } from './validation/index.ts';

// Search parameters defined by the plan rules join the registry before any database is opened
// (every stored version carries its keys for them).
for (const p of [reviewDue, agreementStatus]) if (!searchParam('CarePlan', p.name)) registerSearchParam('CarePlan', p);
for (const type of SYNCED_TYPES) if (!searchParam(type, syncConflict.name)) registerSearchParam(type, syncConflict);
if (!searchParam('Subscription', ownerParam.name)) registerSearchParam('Subscription', ownerParam);

/** `subscriptions`: where Subscriptions may point (config SAMPLAN_SUBSCRIPTION_*); default nowhere. */
export function buildServices(db: Database, checks: WriteChecks = writeChecks(), subscriptions: SubscriptionSettings = NO_SUBSCRIPTION_HOSTS): FhirServices {
  const store = new Store(db.versions, new CareTeamPolicy(db.versions), new StoredAuditTrail(db.versions));
  return {
    store,
    checks: subscriptionChecks(checks, subscriptions),
    operations: new Map([['CarePlan/$agree', agreeOperation]]),
    queryOperations: new Map([['Measure/$evaluate-measure', evaluateMeasureOperation]]),
    capabilityExtras: {
      profiles: supportedProfiles(),
      operations: { CarePlan: [{ name: 'agree', definition: OPERATION.agree }], Measure: [{ name: 'evaluate-measure', definition: OPERATION.evaluateMeasure }] },
    },
  };
}
