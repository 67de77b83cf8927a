/**
 * The patient's agreement with a plan (överenskommelse; samtykke til planen).
 *
 * `$agree` records it twice: as a Provenance targeting the exact plan version
 * (https://hl7.org/fhir/R4/provenance.html — "target: the Reference(s) that
 * were generated or updated by the activity", version-specific), and on the
 * plan itself as the samplan-agreement extension, so anyone reading the plan
 * sees whether the patient agreed to it as it is now (status current) or to
 * an older version (status stale).
 *
 * The extension is server-maintained: agreementAfterChange() carries it over
 * from the stored plan whatever the client sends, and marks it stale when the
 * agreed content changes (agreed-content.ts).
 */
import { randomUUID } from 'node:crypto';
import { FhirError } from '../errors.ts';
import { CODE_SYSTEM, EXTENSION, PROFILE } from '../validation/index.ts';
import { contentDigest } from './agreed-content.ts';

export type AgreementStatus = 'current' | 'stale';

export interface Agreement {
  status: AgreementStatus;
  /** `CarePlan/{id}/_history/{vid}`: the version agreed to. */
  agreedVersion: string;
  agreedAt: string;
  agreedBy: fhir4.Reference;
  provenance: fhir4.Reference;
  contentDigest: string;
}

function sub(ext: fhir4.Extension, url: string): fhir4.Extension | undefined {
  return ext.extension?.find((e) => e.url === url);
}

/** The plan's agreement, or undefined when the patient has not agreed to any version. */
export function agreementOf(plan: fhir4.CarePlan): Agreement | undefined {
  const ext = plan.extension?.find((e) => e.url === EXTENSION.agreement);
  if (!ext) return undefined;
  return {
    status: sub(ext, 'status')?.valueCode === 'current' ? 'current' : 'stale',
    agreedVersion: sub(ext, 'agreedVersion')?.valueReference?.reference ?? '',
    agreedAt: sub(ext, 'agreedAt')?.valueDateTime ?? '',
    agreedBy: sub(ext, 'agreedBy')?.valueReference ?? {},
    provenance: sub(ext, 'provenance')?.valueReference ?? {},
    contentDigest: sub(ext, 'contentDigest')?.valueString ?? '',
  };
}

/** 'none' when never agreed; else whether the agreement applies to the plan as it is. */
export function agreementState(plan: fhir4.CarePlan): AgreementStatus | 'none' {
  return agreementOf(plan)?.status ?? 'none';
}

export function agreementExtension(a: Agreement): fhir4.Extension {
  return {
    url: EXTENSION.agreement,
    extension: [
      { url: 'status', valueCode: a.status },
      { url: 'agreedVersion', valueReference: { reference: a.agreedVersion, type: 'CarePlan' } },
      { url: 'agreedAt', valueDateTime: a.agreedAt },
      { url: 'agreedBy', valueReference: a.agreedBy },
      { url: 'provenance', valueReference: a.provenance },
      { url: 'contentDigest', valueString: a.contentDigest },
    ],
  };
}

/** A copy of the plan with its agreement replaced (or removed, for undefined). */
export function withAgreement(plan: fhir4.CarePlan, a: Agreement | undefined): fhir4.CarePlan {
  const others = (plan.extension ?? []).filter((e) => e.url !== EXTENSION.agreement);
  const extension = a ? [...others, agreementExtension(a)] : others;
  const copy: fhir4.CarePlan = { ...structuredClone(plan), extension };
  if (extension.length === 0) delete copy.extension;
  return copy;
}

/** A copy of the plan whose agreement (if any) is marked stale, e.g. after a goal it references changed. */
export function markAgreementStale(plan: fhir4.CarePlan): fhir4.CarePlan {
  const a = agreementOf(plan);
  return a ? withAgreement(plan, { ...a, status: 'stale' }) : structuredClone(plan);
}

export interface AgreementOptions {
  /**
   * On create, keep an agreement the incoming plan carries (an import).
   * Otherwise a client cannot set an agreement: only $agree does. (Sync keeps
   * the server's agreement on its own terms: src/sync/agreement.ts.)
   */
  trustIncoming?: boolean;
}

/**
 * The plan to store after a create (before undefined) or an update: the
 * stored plan's agreement is carried over — the client's version of the
 * extension is ignored — and marked stale when the agreed content changed.
 * Stale stays stale until a new $agree, even if the content is changed back.
 */
export function agreementAfterChange(before: fhir4.CarePlan | undefined, after: fhir4.CarePlan, opts: AgreementOptions = {}): fhir4.CarePlan {
  const previous = before ? agreementOf(before) : opts.trustIncoming ? agreementOf(after) : undefined;
  if (!previous) return withAgreement(after, undefined);
  const unchanged = previous.status === 'current' && previous.contentDigest === contentDigest(after);
  return withAgreement(after, { ...previous, status: unchanged ? 'current' : 'stale' });
}

export interface AgreeInput {
  /** The plan as stored: with id and meta.versionId. */
  plan: fhir4.CarePlan;
  /** Who agrees: the plan's patient, or a Practitioner / PractitionerRole / RelatedPerson on the patient's behalf. */
  agent: fhir4.Reference;
  /** Why someone else records the agreement (required unless the agent is the patient). */
  reason?: string | fhir4.CodeableConcept;
  /** The version the patient saw; a mismatch is refused with 412. */
  versionId?: string;
  /** When the agreement is recorded (FHIR instant); default now. */
  recorded?: string;
  /** Id for the new Provenance; default a random UUID. Store it under this id. */
  provenanceId?: string;
  /** The versions of the plan's goals as the patient saw them, pinned in the Provenance (agreement-goals.ts). */
  goals?: { id: string; versionId: number }[];
}

export interface AgreeResult {
  /** The Provenance to store (profile samplan-agreement-provenance). */
  provenance: fhir4.Provenance;
  /** The plan to store as its next version, with the agreement current. */
  plan: fhir4.CarePlan;
}

/**
 * The Provenance entities that pin the plan's goals as the patient saw them
 * (role `source`, version-specific: https://hl7.org/fhir/R4/provenance-definitions.html#Provenance.entity).
 */
export function goalEntities(pins: readonly { id: string; versionId: number }[]): fhir4.ProvenanceEntity[] {
  return pins.map((p) => ({ role: 'source', what: { reference: `Goal/${p.id}/_history/${p.versionId}`, type: 'Goal' } }));
}

const AGREEABLE = new Set(['draft', 'active', 'on-hold']);
const param = (name: string): string => `Parameters.parameter.where(name = '${name}')`;

function refType(ref: fhir4.Reference): string | undefined {
  return ref.type ?? /(?:^|\/)(Patient|Practitioner|PractitionerRole|RelatedPerson)\/[^/]+(?:\/_history\/[^/]+)?$/.exec(ref.reference ?? '')?.[1];
}

/** `$agree`: the Provenance and the plan's new agreement. Throws FhirError when the agreement cannot be recorded. */
export function agree(input: AgreeInput): AgreeResult {
  const { plan, agent } = input;
  const id = plan.id;
  const vid = plan.meta?.versionId;
  if (!id || !vid) throw new FhirError('invalid', { code: 'required', diagnostics: 'Only a stored plan (with id and meta.versionId) can be agreed to', expression: 'CarePlan.meta.versionId' });
  if (input.versionId !== undefined && input.versionId !== vid) {
    throw new FhirError('precondition-failed', { code: 'conflict', diagnostics: `The patient saw version ${input.versionId}; the plan is now at version ${vid}`, expression: param('versionId') });
  }
  if (!AGREEABLE.has(plan.status)) {
    throw new FhirError('unprocessable', { code: 'business-rule', diagnostics: `A plan with status ${plan.status} cannot be agreed to (only draft, active, on-hold)`, expression: 'CarePlan.status' });
  }
  const type = refType(agent);
  const isPatient = type === 'Patient';
  if (isPatient && agent.reference !== plan.subject.reference) {
    throw new FhirError('unprocessable', { code: 'business-rule', diagnostics: `${agent.reference ?? 'The agent'} is not the patient of this plan (${plan.subject.reference ?? '?'})`, expression: param('agent') });
  }
  if (!isPatient && type !== 'Practitioner' && type !== 'PractitionerRole' && type !== 'RelatedPerson') {
    throw new FhirError('unprocessable', { code: 'value', diagnostics: 'The agent is the patient, or a Practitioner, PractitionerRole or RelatedPerson acting on their behalf', expression: param('agent') });
  }
  const reason = typeof input.reason === 'string' ? (input.reason.trim() ? { text: input.reason.trim() } : undefined) : input.reason;
  if (!isPatient && !reason) {
    throw new FhirError('unprocessable', { code: 'required', diagnostics: "Recording an agreement on the patient's behalf requires a reason", expression: param('reason') });
  }

  const recorded = input.recorded ?? new Date().toISOString();
  const provenanceId = input.provenanceId ?? randomUUID();
  const version = `CarePlan/${id}/_history/${vid}`;
  const who: fhir4.Reference = { ...agent, ...(type ? { type } : {}) };
  const provenance: fhir4.Provenance = {
    resourceType: 'Provenance',
    id: provenanceId,
    meta: { profile: [PROFILE.agreementProvenance] },
    target: [{ reference: version, type: 'CarePlan' }],
    recorded,
    activity: { coding: [{ system: CODE_SYSTEM.provenanceActivity, code: 'agree', display: 'Patient agreed to the plan' }] },
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'attester', display: 'Attester' }] },
        who,
        ...(isPatient ? {} : { onBehalfOf: { ...plan.subject, type: 'Patient' } }),
      },
    ],
    ...(reason ? { reason: [reason] } : {}),
    ...(input.goals?.length ? { entity: goalEntities(input.goals) } : {}),
  };
  const agreement: Agreement = {
    status: 'current',
    agreedVersion: version,
    agreedAt: recorded,
    agreedBy: who,
    provenance: { reference: `Provenance/${provenanceId}`, type: 'Provenance' },
    contentDigest: contentDigest(plan),
  };
  return { provenance, plan: withAgreement(plan, agreement) };
}
