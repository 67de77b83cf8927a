/**
 * What a person needs from a CarePlan, read from samplan's profiles
 * (profiles/StructureDefinition-samplan-*.json): its kind, the contact person
 * (fast vårdkontakt / kontaktperson) and coordinator, the next follow-up, the
 * consent with whom the plan is shared, and the measures grouped by who is
 * responsible. Plain functions over FHIR JSON, no DOM: the pages and the
 * tests use the same code.
 */
import { normaliseReference, sameReference } from '../../auth/references.ts';
import { CODE_SYSTEM, EXTENSION } from '../../validation/canonical.ts';

export type PlanKind = 'sip' | 'patientkontrakt' | 'individuell-plan';

export function kindOf(plan: fhir4.CarePlan): PlanKind | undefined {
  for (const c of plan.category ?? []) {
    const code = c.coding?.find((x) => x.system === CODE_SYSTEM.planKind)?.code;
    if (code === 'sip' || code === 'patientkontrakt' || code === 'individuell-plan') return code;
  }
  return undefined;
}

/** The category's own words when the plan is of no samplan kind (e.g. a discharge plan). */
export function categoryText(plan: fhir4.CarePlan): string | undefined {
  const c = plan.category?.[0];
  return c?.text ?? c?.coding?.[0]?.display;
}

const ext = (plan: fhir4.CarePlan, url: string): fhir4.Extension | undefined => plan.extension?.find((e) => e.url === url);
const subs = (e: fhir4.Extension | undefined, url: string): fhir4.Extension[] => e?.extension?.filter((x) => x.url === url) ?? [];

export interface Contact {
  party: fhir4.Reference;
  telecom: fhir4.ContactPoint[];
  availability?: string;
}

export function contactPerson(plan: fhir4.CarePlan): Contact | undefined {
  const e = ext(plan, EXTENSION.contactPerson);
  const party = subs(e, 'party')[0]?.valueReference;
  if (!party) return undefined;
  const availability = subs(e, 'availability')[0]?.valueString;
  return { party, telecom: subs(e, 'telecom').flatMap((x) => (x.valueContactPoint ? [x.valueContactPoint] : [])), ...(availability ? { availability } : {}) };
}

export function coordinator(plan: fhir4.CarePlan): fhir4.Reference | undefined {
  return ext(plan, EXTENSION.coordinator)?.valueReference;
}

export function nextReview(plan: fhir4.CarePlan): string | undefined {
  return ext(plan, EXTENSION.nextReview)?.valueDate;
}

export interface Consent {
  date?: string;
  sharedWith: fhir4.Reference[];
  restriction?: string;
}

export function consentOf(plan: fhir4.CarePlan): Consent | undefined {
  const e = ext(plan, EXTENSION.consent);
  if (!e) return undefined;
  const date = subs(e, 'date')[0]?.valueDateTime;
  const restriction = subs(e, 'restriction')[0]?.valueString;
  return { sharedWith: subs(e, 'sharedWith').flatMap((x) => (x.valueReference ? [x.valueReference] : [])), ...(date ? { date } : {}), ...(restriction ? { restriction } : {}) };
}

export interface AgreementView {
  status: 'current' | 'stale';
  agreedVersion: string;
  agreedAt: string;
  agreedBy?: fhir4.Reference;
}

export function agreementOf(plan: fhir4.CarePlan): AgreementView | undefined {
  const e = ext(plan, EXTENSION.agreement);
  if (!e) return undefined;
  const v = (url: string): fhir4.Extension | undefined => subs(e, url)[0];
  const agreedBy = v('agreedBy')?.valueReference;
  return {
    status: v('status')?.valueCode === 'current' ? 'current' : 'stale',
    agreedVersion: v('agreedVersion')?.valueReference?.reference ?? '',
    agreedAt: v('agreedAt')?.valueDateTime ?? '',
    ...(agreedBy ? { agreedBy } : {}),
  };
}

/** `CarePlan/x/_history/3` → `3`. */
export function versionOf(ref: string): string | undefined {
  return /\/_history\/([^/]+)$/.exec(ref)?.[1];
}

/** Who answers for a measure: the patient themself, or an organisation / person (the principal, else the performer). */
export interface Responsible {
  key: string;
  self: boolean;
  who: fhir4.Reference;
}

export function responsibleFor(activity: fhir4.CarePlanActivity, patient: string | undefined): Responsible {
  const performer = activity.detail?.performer?.[0];
  if (patient && (activity.detail?.performer ?? []).some((p) => sameReference(p.reference, patient))) return { key: 'self', self: true, who: performer! };
  // The principal (huvudman) answers for a measure an individual carries out; else whoever performs it.
  const principal = activity.detail?.extension?.find((e) => e.url === EXTENSION.principal)?.valueReference;
  const who = principal ?? performer ?? {};
  return { key: normaliseReference(who.reference) ?? who.display ?? '?', self: false, who };
}

export interface MeasureGroup {
  responsible: Responsible;
  /** Indexes into plan.activity, in plan order. */
  measures: number[];
}

/** Measures by who is responsible; what the patient does themself first, the rest in plan order. */
export function measureGroups(plan: fhir4.CarePlan, patient: string | undefined): MeasureGroup[] {
  const groups = new Map<string, MeasureGroup>();
  (plan.activity ?? []).forEach((a, i) => {
    const r = responsibleFor(a, patient);
    const g = groups.get(r.key) ?? { responsible: r, measures: [] };
    g.measures.push(i);
    groups.set(r.key, g);
  });
  return [...groups.values()].sort((a, b) => Number(b.responsible.self) - Number(a.responsible.self));
}

export function isOwnMeasure(activity: fhir4.CarePlanActivity, me: string): boolean {
  return (activity.detail?.performer ?? []).some((p) => sameReference(p.reference, me));
}
