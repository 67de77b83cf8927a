/**
 * A new plan per kind that already carries what the kind's profile requires
 * (profiles/StructureDefinition-samplan-{sip,patientkontrakt,individuell-plan}.json),
 * so the first save is valid:
 *  - every kind: draft, intent plan, the kind's category and profile, the
 *    patient, the team, a next follow-up date, the coordinator;
 *  - SIP: a contact person and two organisations (spl-sip-2: author and
 *    contributor, from the team), a first measure whose principal is named;
 *  - patientkontrakt: a contact person who can be reached (spl-pk-2: telecom)
 *    and measures with agreed times (spl-pk-5);
 *  - individuell plan: the koordinator (spl-ip-2); consent comes before it
 *    leaves draft (spl-ip-3).
 */
import { CODE_SYSTEM, EXTENSION, PROFILE } from '../../../validation/canonical.ts';
import { todayIso } from '../../shared/format.ts';
import type { PlanKind } from '../../shared/plan.ts';

export interface TemplateInput {
  kind: PlanKind;
  title: string;
  patient: fhir4.Reference;
  team: fhir4.Reference;
  /** The person making the plan: coordinator and contact person to begin with. */
  me: fhir4.Reference;
  phone: string;
  /** The team's organisations, the first being mine. */
  organisations: fhir4.Reference[];
  /** The words of the first measure. */
  firstMeasure: string;
}

const PROFILES: Record<PlanKind, string> = { sip: PROFILE.sip, patientkontrakt: PROFILE.patientkontrakt, 'individuell-plan': PROFILE.individuellPlan };
const DISPLAY: Record<PlanKind, string> = { sip: 'Samordnad individuell plan (SIP)', patientkontrakt: 'Patientkontrakt', 'individuell-plan': 'Individuell plan' };

export function planFromTemplate(i: TemplateInput): fhir4.CarePlan {
  const [mine, other] = i.organisations;
  const contact: fhir4.Extension = {
    url: EXTENSION.contactPerson,
    extension: [{ url: 'party', valueReference: i.me }, ...(i.phone ? [{ url: 'telecom', valueContactPoint: { system: 'phone' as const, value: i.phone, use: 'work' as const } }] : [])],
  };
  const measure: fhir4.CarePlanActivity = {
    detail: {
      status: 'not-started',
      description: i.firstMeasure,
      performer: [mine ?? i.me],
      scheduledTiming: { repeat: { frequency: 1, period: 1, periodUnit: 'mo' } },
      ...(i.kind === 'sip' && mine ? { extension: [{ url: EXTENSION.principal, valueReference: mine }] } : {}),
    },
  };
  return {
    resourceType: 'CarePlan',
    meta: { profile: [PROFILES[i.kind]] },
    status: 'draft',
    intent: 'plan',
    title: i.title,
    category: [{ coding: [{ system: CODE_SYSTEM.planKind, code: i.kind, display: DISPLAY[i.kind] }] }],
    subject: i.patient,
    careTeam: [i.team],
    created: todayIso(),
    period: { start: todayIso() },
    ...(mine ? { author: mine } : {}),
    ...(i.kind === 'sip' && other ? { contributor: [mine!, other] } : {}),
    extension: [
      ...(i.kind !== 'individuell-plan' || i.phone ? [contact] : []),
      { url: EXTENSION.coordinator, valueReference: i.me },
      { url: EXTENSION.nextReview, valueDate: todayIso(28) },
    ],
    activity: [measure],
  };
}
