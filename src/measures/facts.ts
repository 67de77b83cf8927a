/**
 * What the indicators need of one plan version, and nothing more: the walk
 * (walk.ts) keeps one of these per plan instead of the plan itself, so an
 * evaluation over a region's plans holds a few hundred bytes per plan.
 */
import { agreementOf, agreementState, dateRange, nextReviewDate } from '../plans/index.ts';
import { CODE_SYSTEM, EXTENSION } from '../validation/index.ts';

export interface PlanFact {
  status: fhir4.CarePlan['status'];
  /** The plan kind (samplan-plan-kind code), or 'unknown'. */
  kind: string;
  /** Organisations performing a measure or principal (huvudman) for one: `Organization/…`. */
  organizations: string[];
  /** The principals (huvudman: municipality or region) of its measures. */
  principals: string[];
  /** Names a contact person with a way to reach them (a telecom with a value). */
  reachableContact: boolean;
  coordinator: boolean;
  agreement: 'none' | 'current' | 'stale';
  /** When the patient agreed (the local date), if they ever did. */
  agreedOn?: string;
  /** The last day of the next follow-up date (a partial date stands for its period). */
  reviewBy?: string;
  /** A measure the patient performs themself. */
  ownMeasure: boolean;
  /** CarePlan.created as a local date, when given. */
  createdOn?: string;
}

/** Organisation names, as the plans' references display them, gathered while facts are made. */
export type Names = Map<string, string>;

const organization = (r: fhir4.Reference | undefined): string | undefined => {
  const ref = r?.reference;
  return ref && /^Organization\/[^/]+$/.test(ref) ? ref : undefined;
};

function note(names: Names, r: fhir4.Reference | undefined): string | undefined {
  const ref = organization(r);
  if (ref && r?.display && !names.has(ref)) names.set(ref, r.display);
  return ref;
}

const date = (dt: string | undefined): string | undefined => (dt && /^\d{4}-\d{2}-\d{2}/.test(dt) ? dt.slice(0, 10) : undefined);

export function factOf(plan: fhir4.CarePlan, names: Names, localDateOf: (iso: string) => string): PlanFact {
  const organizations = new Set<string>();
  const principals = new Set<string>();
  let ownMeasure = false;
  for (const a of plan.activity ?? []) {
    const detail = a.detail;
    for (const p of detail?.performer ?? []) {
      const org = note(names, p);
      if (org) organizations.add(org);
      if (p.reference && p.reference === plan.subject.reference) ownMeasure = true;
    }
    for (const e of detail?.extension ?? []) {
      if (e.url !== EXTENSION.principal) continue;
      const org = note(names, e.valueReference);
      if (org) {
        organizations.add(org);
        principals.add(org);
      }
    }
  }
  const contact = plan.extension?.find((e) => e.url === EXTENSION.contactPerson);
  const reachableContact =
    !!contact?.extension?.some((e) => e.url === 'party' && e.valueReference?.reference) &&
    !!contact.extension.some((e) => e.url === 'telecom' && e.valueContactPoint?.value?.trim());
  const coordinator = !!plan.extension?.some((e) => e.url === EXTENSION.coordinator && e.valueReference?.reference);
  const kind = plan.category?.flatMap((c) => c.coding ?? []).find((c) => c.system === CODE_SYSTEM.planKind)?.code ?? 'unknown';
  const review = nextReviewDate(plan);
  const agreedAt = agreementOf(plan)?.agreedAt;
  const createdOn = plan.created && plan.created.length > 10 ? localDateOf(plan.created) : date(plan.created);
  return {
    status: plan.status,
    kind,
    organizations: [...organizations],
    principals: [...principals],
    reachableContact,
    coordinator,
    agreement: agreementState(plan),
    ...(agreedAt ? { agreedOn: localDateOf(agreedAt) } : {}),
    ...(review ? { reviewBy: dateRange(review).end } : {}),
    ownMeasure,
    ...(createdOn ? { createdOn } : {}),
  };
}
