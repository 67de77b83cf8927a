/**
 * The search parameters samplan offers, per resource type: the single list
 * that indexing (index-values.ts), query parsing (query.ts) and the
 * CapabilityStatement all read, so what is advertised is what works.
 * Definitions follow the FHIR R4 search parameter registry:
 * https://hl7.org/fhir/R4/searchparameter-registry.html
 */
import { codeableTokens, dateRange, identifierTokens, periodRange, referenceValues, tokenValues, type DateRange } from './values.ts';

export type ParamType = 'token' | 'reference' | 'date' | 'string';

interface BaseParam {
  name: string;
  /** Canonical of the SearchParameter definition. */
  definition: string;
  documentation: string;
}

export interface TokenLikeParam extends BaseParam {
  type: 'token' | 'reference' | 'string';
  values(resource: fhir4.FhirResource): string[];
}

export interface DateParam extends BaseParam {
  type: 'date';
  range(resource: fhir4.FhirResource): DateRange | undefined;
}

export type SearchParam = TokenLikeParam | DateParam;

const core = (type: string, name: string): string => `http://hl7.org/fhir/SearchParameter/${type}-${name}`;
const clinical = (name: string): string => `http://hl7.org/fhir/SearchParameter/clinical-${name}`;

type Of<T extends fhir4.FhirResource['resourceType']> = Extract<fhir4.FhirResource, { resourceType: T }>;

function tokenParam<T extends fhir4.FhirResource['resourceType']>(
  _type: T, name: string, definition: string, documentation: string, values: (r: Of<T>) => string[],
  type: TokenLikeParam['type'] = 'token',
): TokenLikeParam {
  return { name, type, definition, documentation, values: (r) => values(r as Of<T>) };
}

function dateParam<T extends fhir4.FhirResource['resourceType']>(
  _type: T, name: string, definition: string, documentation: string, range: (r: Of<T>) => DateRange | undefined,
): DateParam {
  return { name, type: 'date', definition, documentation, range: (r) => range(r as Of<T>) };
}

const patientOf = (subject: fhir4.Reference | undefined): string[] => referenceValues([subject], 'Patient');

const CARE_PLAN: SearchParam[] = [
  tokenParam('CarePlan', 'patient', clinical('patient'), 'Who the plan is for, when a Patient', (r) => patientOf(r.subject), 'reference'),
  tokenParam('CarePlan', 'subject', core('CarePlan', 'subject'), 'Who the plan is for', (r) => referenceValues([r.subject]), 'reference'),
  tokenParam('CarePlan', 'status', core('CarePlan', 'status'), 'draft | active | on-hold | revoked | completed | entered-in-error | unknown', (r) => tokenValues('http://hl7.org/fhir/request-status', r.status)),
  tokenParam('CarePlan', 'intent', core('CarePlan', 'intent'), 'proposal | plan | order | option', (r) => tokenValues('http://hl7.org/fhir/care-plan-intent', r.intent)),
  tokenParam('CarePlan', 'category', core('CarePlan', 'category'), 'Kind of plan (SIP, patientkontrakt, individuell plan, …)', (r) => codeableTokens(r.category)),
  tokenParam('CarePlan', 'care-team', core('CarePlan', 'care-team'), 'The CareTeam around the plan', (r) => referenceValues(r.careTeam), 'reference'),
  tokenParam('CarePlan', 'goal', core('CarePlan', 'goal'), 'Goals the plan addresses', (r) => referenceValues(r.goal), 'reference'),
  tokenParam('CarePlan', 'performer', core('CarePlan', 'performer'), 'Who performs a measure (activity.detail.performer): an organisation, a practitioner or the patient', (r) => referenceValues((r.activity ?? []).flatMap((a) => a.detail?.performer ?? [])), 'reference'),
  tokenParam('CarePlan', 'identifier', clinical('identifier'), 'Business identifier of the plan', (r) => identifierTokens(r.identifier)),
  dateParam('CarePlan', 'date', clinical('date'), 'The period the plan covers', (r) => periodRange(r.period)),
];

const CARE_TEAM: SearchParam[] = [
  tokenParam('CareTeam', 'patient', clinical('patient'), 'Who the team cares for, when a Patient', (r) => patientOf(r.subject), 'reference'),
  tokenParam('CareTeam', 'subject', core('CareTeam', 'subject'), 'Who the team cares for', (r) => referenceValues([r.subject]), 'reference'),
  tokenParam('CareTeam', 'participant', core('CareTeam', 'participant'), 'A member of the team', (r) => referenceValues((r.participant ?? []).map((p) => p.member)), 'reference'),
  tokenParam('CareTeam', 'participant-organization', 'https://samplan.org/fhir/SearchParameter/careteam-participant-organization', 'An organisation a participant acts on behalf of', (r) => referenceValues((r.participant ?? []).map((p) => p.onBehalfOf)), 'reference'),
  tokenParam('CareTeam', 'status', core('CareTeam', 'status'), 'proposed | active | suspended | inactive | entered-in-error', (r) => tokenValues('http://hl7.org/fhir/care-team-status', r.status)),
  tokenParam('CareTeam', 'category', core('CareTeam', 'category'), 'Type of team', (r) => codeableTokens(r.category)),
  tokenParam('CareTeam', 'identifier', clinical('identifier'), 'Business identifier of the team', (r) => identifierTokens(r.identifier)),
];

const GOAL: SearchParam[] = [
  tokenParam('Goal', 'patient', clinical('patient'), 'Whose goal, when a Patient', (r) => patientOf(r.subject), 'reference'),
  tokenParam('Goal', 'subject', core('Goal', 'subject'), 'Whose goal', (r) => referenceValues([r.subject]), 'reference'),
  tokenParam('Goal', 'lifecycle-status', core('Goal', 'lifecycle-status'), 'proposed | planned | accepted | active | on-hold | completed | cancelled | entered-in-error | rejected', (r) => tokenValues('http://hl7.org/fhir/goal-status', r.lifecycleStatus)),
  tokenParam('Goal', 'identifier', clinical('identifier'), 'Business identifier of the goal', (r) => identifierTokens(r.identifier)),
];

const identifierOnly = <T extends 'Patient' | 'Practitioner' | 'PractitionerRole' | 'Organization' | 'RelatedPerson'>(type: T): SearchParam[] => [
  tokenParam(type, 'identifier', core(type, 'identifier'), `Business identifier of the ${type}`, (r) => identifierTokens((r as { identifier?: fhir4.Identifier[] }).identifier)),
];

const PROVENANCE: SearchParam[] = [
  tokenParam('Provenance', 'target', core('Provenance', 'target'), 'The resource (version) the provenance is about', (r) => referenceValues(r.target), 'reference'),
  tokenParam('Provenance', 'agent', core('Provenance', 'agent'), 'Who took part', (r) => referenceValues(r.agent.map((a) => a.who)), 'reference'),
  tokenParam('Provenance', 'patient', core('Provenance', 'patient'), 'The patient the target is about', (r) => referenceValues(r.target, 'Patient'), 'reference'),
];

const PRACTITIONER_ROLE_EXTRA: SearchParam[] = [
  tokenParam('PractitionerRole', 'practitioner', core('PractitionerRole', 'practitioner'), 'The practitioner', (r) => referenceValues([r.practitioner]), 'reference'),
  tokenParam('PractitionerRole', 'organization', core('PractitionerRole', 'organization'), 'The organisation', (r) => referenceValues([r.organization]), 'reference'),
];

const AUDIT_EVENT: SearchParam[] = [
  tokenParam('AuditEvent', 'entity', core('AuditEvent', 'entity'), 'A resource the event is about', (r) => referenceValues((r.entity ?? []).map((e) => e.what)), 'reference'),
  tokenParam('AuditEvent', 'patient', core('AuditEvent', 'patient'), 'The patient whose record was accessed', (r) => referenceValues((r.entity ?? []).map((e) => e.what), 'Patient'), 'reference'),
  tokenParam('AuditEvent', 'agent', core('AuditEvent', 'agent'), 'Who did it', (r) => referenceValues(r.agent.map((a) => a.who)), 'reference'),
  tokenParam('AuditEvent', 'altid', core('AuditEvent', 'altid'), 'The token subject of who did it', (r) => r.agent.flatMap((a) => (a.altId ? [a.altId] : []))),
  tokenParam('AuditEvent', 'action', core('AuditEvent', 'action'), 'C | R | U | D | E', (r) => tokenValues('http://hl7.org/fhir/audit-event-action', r.action)),
  tokenParam('AuditEvent', 'outcome', core('AuditEvent', 'outcome'), '0 success | 4 refused | 8 failed', (r) => tokenValues('http://hl7.org/fhir/audit-event-outcome', r.outcome)),
  tokenParam('AuditEvent', 'subtype', core('AuditEvent', 'subtype'), 'The RESTful interaction', (r) => (r.subtype ?? []).flatMap((c) => tokenValues(c.system, c.code))),
  dateParam('AuditEvent', 'date', core('AuditEvent', 'date'), 'When the event was recorded', (r) => dateRange(r.recorded)),
];

// Subscriptions (issue 14); `owner`, which access narrows them by, is registered by src/subscriptions.
const SUBSCRIPTION: SearchParam[] = [
  tokenParam('Subscription', 'status', core('Subscription', 'status'), 'requested | active | error | off', (r) => tokenValues('http://hl7.org/fhir/subscription-status', r.status)),
  tokenParam('Subscription', 'type', core('Subscription', 'type'), 'The channel type (rest-hook)', (r) => tokenValues('http://terminology.hl7.org/CodeSystem/subscription-channel-type', r.channel.type)),
];

const REGISTRY: Record<string, SearchParam[]> = {
  CarePlan: CARE_PLAN,
  CareTeam: CARE_TEAM,
  Goal: GOAL,
  Patient: identifierOnly('Patient'),
  Practitioner: identifierOnly('Practitioner'),
  PractitionerRole: [...identifierOnly('PractitionerRole'), ...PRACTITIONER_ROLE_EXTRA],
  Organization: identifierOnly('Organization'),
  // Next of kin (närstående / pårørende) on the care team.
  RelatedPerson: [
    ...identifierOnly('RelatedPerson'),
    tokenParam('RelatedPerson', 'patient', core('RelatedPerson', 'patient'), 'The patient this person is related to', (r) => referenceValues([r.patient], 'Patient'), 'reference'),
  ],
  Provenance: PROVENANCE,
  AuditEvent: AUDIT_EVENT,
  Subscription: SUBSCRIPTION,
};

/** Lets other capabilities (plan rules, audit) add parameters at start-up, before the first write. */
export function registerSearchParam(type: string, param: SearchParam): void {
  const list = (REGISTRY[type] ??= []);
  if (list.some((p) => p.name === param.name)) throw new Error(`search parameter ${type}.${param.name} registered twice`);
  list.push(param);
}

export function searchParamsOf(type: string): readonly SearchParam[] {
  return REGISTRY[type] ?? [];
}

export function searchParam(type: string, name: string): SearchParam | undefined {
  return searchParamsOf(type).find((p) => p.name === name);
}

/** The types the REST API serves; the store holds only these. */
export const RESOURCE_TYPES = ['CarePlan', 'CareTeam', 'Goal', 'Patient', 'RelatedPerson', 'Practitioner', 'PractitionerRole', 'Organization', 'Provenance', 'AuditEvent', 'Subscription'] as const;
export type ServedType = (typeof RESOURCE_TYPES)[number];

export function isServedType(type: string): type is ServedType {
  return (RESOURCE_TYPES as readonly string[]).includes(type);
}

/** Index field names in a ResourceDoc's `sp`; dates are stored as a [lo, hi) pair. */
export const loField = (name: string): string => `${name}__lo`;
export const hiField = (name: string): string => `${name}__hi`;
