/**
 * Canonical URLs of everything samplan defines. The JSON files in `profiles/`
 * carry the same URLs; `test/validation/conformance.test.ts` checks they agree.
 */

export const BASE = 'https://samplan.org/fhir';
const SD = `${BASE}/StructureDefinition`;
const CS = `${BASE}/CodeSystem`;

export const PROFILE = {
  carePlan: `${SD}/samplan-careplan`,
  sip: `${SD}/samplan-sip`,
  patientkontrakt: `${SD}/samplan-patientkontrakt`,
  individuellPlan: `${SD}/samplan-individuell-plan`,
  careTeam: `${SD}/samplan-careteam`,
  goal: `${SD}/samplan-goal`,
  agreementProvenance: `${SD}/samplan-agreement-provenance`,
} as const;

export const EXTENSION = {
  /** Fast vårdkontakt / kontaktperson: who, and how to reach them (CarePlan). */
  contactPerson: `${SD}/samplan-contact-person`,
  /** Koordinator / samordningsansvarig (CarePlan). */
  coordinator: `${SD}/samplan-coordinator`,
  /** Next follow-up (uppföljning / evaluering) date (CarePlan); indexed by `review-due`. */
  nextReview: `${SD}/samplan-next-review`,
  /** The patient's agreement (överenskommelse) with a version of the plan (CarePlan). */
  agreement: `${SD}/samplan-agreement`,
  /** The person's consent (samtycke) to the plan and to sharing information (CarePlan). */
  consent: `${SD}/samplan-consent`,
  /** The principal (huvudman: region, municipality) responsible for a measure (CarePlan.activity.detail). */
  principal: `${SD}/samplan-principal`,
  /** A change sync could not merge: the value kept, the value not kept, both authors (CarePlan, CareTeam, Goal). */
  syncConflict: `${SD}/samplan-sync-conflict`,
  /** Who owns a Subscription: the principal whose token wrote it (src/subscriptions/owner.ts). */
  subscriptionOwner: `${SD}/samplan-subscription-owner`,
  /** On a history Bundle's entry.request: who wrote that version, as samplan recorded it (src/fhir/responses.ts). */
  versionAuthor: `${SD}/samplan-version-author`,
  /** On ElementDefinition.constraint: the element a failed constraint points at, relative to its context. */
  constraintLocation: `${SD}/samplan-constraint-location`,
  /** On ElementDefinition.constraint: the OperationOutcome issue type a failure is reported with. */
  constraintIssueType: `${SD}/samplan-constraint-issue-type`,
} as const;

export const CODE_SYSTEM = {
  planKind: `${CS}/samplan-plan-kind`,
  careTeamRole: `${CS}/samplan-careteam-role`,
  agreementStatus: `${CS}/samplan-agreement-status`,
  provenanceActivity: `${CS}/samplan-provenance-activity`,
  directoryRole: `${CS}/samplan-directory-role`,
  /** The groups and stratifiers of samplan's indicator Measures (src/measures). */
  indicator: `${CS}/samplan-indicator`,
} as const;

export const VALUE_SET = {
  planKind: `${BASE}/ValueSet/samplan-plan-kind`,
  careTeamRole: `${BASE}/ValueSet/samplan-careteam-role`,
  agreementStatus: `${BASE}/ValueSet/samplan-agreement-status`,
} as const;

export const SEARCH_PARAMETER = {
  reviewDue: `${BASE}/SearchParameter/careplan-review-due`,
  syncConflict: `${BASE}/SearchParameter/sync-conflict`,
  subscriptionOwner: `${BASE}/SearchParameter/subscription-owner`,
  agreementStatus: `${BASE}/SearchParameter/careplan-agreement-status`,
} as const;

export const OPERATION = {
  agree: `${BASE}/OperationDefinition/careplan-agree`,
  /** $evaluate-measure with samplan's parameters (reporter, kind); src/measures. */
  evaluateMeasure: `${BASE}/OperationDefinition/measure-evaluate-measure`,
} as const;

/** The health-community indicators (issue 13): Measure resources in profiles/, computed by src/measures. */
export const MEASURE = {
  activePlans: `${BASE}/Measure/active-plans`,
  contactPerson: `${BASE}/Measure/contact-person`,
  agreementCurrent: `${BASE}/Measure/agreement-current`,
  followUpOnTime: `${BASE}/Measure/follow-up-on-time`,
  daysToAgreement: `${BASE}/Measure/days-to-agreement`,
  patientOwnMeasure: `${BASE}/Measure/patient-own-measure`,
} as const;

/** Codes of the plan-kind CodeSystem, and the profile each implies. */
export const PLAN_KIND_PROFILE: Record<string, string> = {
  sip: PROFILE.sip,
  patientkontrakt: PROFILE.patientkontrakt,
  'individuell-plan': PROFILE.individuellPlan,
};

/** The profile a resource of each type is held to when it names none and implies none. */
export const DEFAULT_PROFILE: Record<string, string | undefined> = {
  CarePlan: PROFILE.carePlan,
  CareTeam: PROFILE.careTeam,
  Goal: PROFILE.goal,
};

/** Resource types samplan accepts (validates structure of, and stores). */
export const ACCEPTED_TYPES = [
  'CarePlan',
  'CareTeam',
  'Goal',
  'Patient',
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'RelatedPerson',
  'Provenance',
  'AuditEvent',
  // Issue 14: EHRs subscribe to plan changes (src/subscriptions).
  'Subscription',
] as const;
export type AcceptedType = (typeof ACCEPTED_TYPES)[number];
