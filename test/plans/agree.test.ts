/**
 * $agree: the Provenance on the exact plan version, the plan's agreement
 * extension, who may agree (the patient, or someone on their behalf with a
 * reason) and when it is refused.
 */
import { describe, expect, it } from 'vitest';
import { agree, agreementOf, agreementState, contentDigest, preparePlanWrite } from '../../src/plans/index.ts';
import { CODE_SYSTEM, EXTENSION, PROFILE, validateResource } from '../../src/validation/index.ts';
import { examplePlan, storedPatientkontrakt, thrown } from './fixtures.ts';

const patient = { reference: 'Patient/patient-1', display: 'Tyra Testsson' };
const RECORDED = '2025-11-21T09:30:00Z';

describe('$agree by the patient', () => {
  const stored = storedPatientkontrakt();
  const { provenance, plan } = agree({ plan: stored, agent: patient, recorded: RECORDED, provenanceId: 'prov-agree-1' });

  it('records a Provenance on the plan version the patient saw', () => {
    expect(provenance).toMatchObject({
      resourceType: 'Provenance',
      id: 'prov-agree-1',
      meta: { profile: [PROFILE.agreementProvenance] },
      target: [{ reference: 'CarePlan/pk-tyra/_history/3', type: 'CarePlan' }],
      recorded: RECORDED,
      activity: { coding: [{ system: CODE_SYSTEM.provenanceActivity, code: 'agree' }] },
      agent: [{ who: { ...patient, type: 'Patient' } }],
    });
    expect(provenance.agent[0]?.onBehalfOf).toBeUndefined();
    expect(provenance.reason).toBeUndefined();
  });

  it('writes a Provenance that is valid against samplan-agreement-provenance', () => {
    expect(validateResource(provenance)).toEqual([]);
  });

  it('pins the versions of the goals the patient saw, and stays valid', () => {
    const pinned = agree({ plan: stored, agent: patient, recorded: RECORDED, goals: [{ id: 'goal-1', versionId: 4 }, { id: 'goal-2', versionId: 1 }] }).provenance;
    expect(pinned.entity).toEqual([
      { role: 'source', what: { reference: 'Goal/goal-1/_history/4', type: 'Goal' } },
      { role: 'source', what: { reference: 'Goal/goal-2/_history/1', type: 'Goal' } },
    ]);
    expect(validateResource(pinned)).toEqual([]);
  });

  it('sets the agreement on the plan: current, which version, when, by whom, the Provenance, the digest', () => {
    expect(agreementOf(plan)).toEqual({
      status: 'current',
      agreedVersion: 'CarePlan/pk-tyra/_history/3',
      agreedAt: RECORDED,
      agreedBy: { ...patient, type: 'Patient' },
      provenance: { reference: 'Provenance/prov-agree-1', type: 'Provenance' },
      contentDigest: contentDigest(stored),
    });
    expect(plan.extension?.filter((e) => e.url === EXTENSION.agreement)).toHaveLength(1);
    expect(validateResource(plan)).toEqual([]);
  });

  it('leaves everything else of the plan as it was', () => {
    const { extension: a, ...rest } = plan;
    const { extension: b, ...before } = stored;
    expect(rest).toEqual(before);
    expect(a?.filter((e) => e.url !== EXTENSION.agreement)).toEqual(b);
  });

  it('lets the plan become active, and the active plan is valid', () => {
    const { plan: active } = preparePlanWrite(plan, { ...plan, status: 'active' });
    expect(active.status).toBe('active');
    expect(agreementState(active)).toBe('current');
  });

  it('renews an earlier agreement instead of adding a second one', () => {
    const again = agree({ plan: { ...plan, meta: { versionId: '4' } }, agent: patient, recorded: '2025-12-01T08:00:00Z' });
    expect(again.plan.extension?.filter((e) => e.url === EXTENSION.agreement)).toHaveLength(1);
    expect(agreementOf(again.plan)?.agreedVersion).toBe('CarePlan/pk-tyra/_history/4');
    expect(again.provenance.id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("$agree on the patient's behalf", () => {
  const stored = storedPatientkontrakt();

  it('by a practitioner with a reason: onBehalfOf the patient, reason recorded', () => {
    const { provenance, plan } = agree({ plan: stored, agent: { reference: 'Practitioner/practitioner-1' }, reason: 'Tyra gav sitt samtycke per telefon; hon ser dåligt och kan inte logga in.', recorded: RECORDED });
    expect(provenance.agent[0]).toMatchObject({ who: { reference: 'Practitioner/practitioner-1', type: 'Practitioner' }, onBehalfOf: { reference: 'Patient/patient-1', type: 'Patient' } });
    expect(provenance.reason?.[0]?.text).toContain('per telefon');
    expect(validateResource(provenance)).toEqual([]);
    expect(agreementOf(plan)?.agreedBy).toEqual({ reference: 'Practitioner/practitioner-1', type: 'Practitioner' });
    expect(validateResource(plan)).toEqual([]);
  });

  it('by a guardian (RelatedPerson) for a young person, with a coded reason', () => {
    const sip = examplePlan('sip-ungdom');
    const mother = sip.contributor?.find((c) => c.type === 'RelatedPerson') as fhir4.Reference;
    const reason = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'PATADMIN' }], text: 'Vårdnadshavare godkänner planen tillsammans med Elvin' };
    const { provenance, plan } = agree({ plan: sip, agent: mother, reason, recorded: RECORDED });
    expect(provenance.agent[0]?.onBehalfOf?.reference).toBe(sip.subject.reference);
    expect(provenance.reason).toEqual([reason]);
    expect(validateResource(provenance)).toEqual([]);
    expect(validateResource(plan)).toEqual([]);
  });

  it.each([undefined, '', '   '])('is refused without a reason (%j)', (reason) => {
    const err = thrown(() => agree({ plan: stored, agent: { reference: 'PractitionerRole/practitionerrole-1' }, ...(reason === undefined ? {} : { reason }) }));
    expect(err.kind).toBe('unprocessable');
    expect(err.outcome.issue[0]).toMatchObject({ code: 'required', expression: ["Parameters.parameter.where(name = 'reason')"] });
  });
});

describe('$agree refused', () => {
  const stored = storedPatientkontrakt();

  it('when the agent is another patient', () => {
    const err = thrown(() => agree({ plan: stored, agent: { reference: 'Patient/someone-else' } }));
    expect(err.kind).toBe('unprocessable');
    expect(err.outcome.issue[0]).toMatchObject({ code: 'business-rule', expression: ["Parameters.parameter.where(name = 'agent')"] });
  });

  it('when the agent is an organisation', () => {
    const err = thrown(() => agree({ plan: stored, agent: { reference: 'Organization/organization-2' }, reason: 'x' }));
    expect(err.outcome.issue[0]).toMatchObject({ code: 'value', expression: ["Parameters.parameter.where(name = 'agent')"] });
  });

  it('when the plan was never stored (no version to agree to)', () => {
    const { meta: _meta, ...unstored } = stored;
    expect(thrown(() => agree({ plan: unstored, agent: patient })).kind).toBe('invalid');
  });

  it('with 412 when the patient saw an older version', () => {
    const err = thrown(() => agree({ plan: stored, agent: patient, versionId: '2' }));
    expect(err.kind).toBe('precondition-failed');
    expect(err.status).toBe(412);
    expect(err.outcome.issue[0]?.diagnostics).toContain('version 2');
    expect(() => agree({ plan: stored, agent: patient, versionId: '3' })).not.toThrow();
  });

  it.each(['completed', 'revoked', 'entered-in-error', 'unknown'] as const)('for a %s plan', (status) => {
    const err = thrown(() => agree({ plan: { ...stored, status }, agent: patient }));
    expect(err.kind).toBe('unprocessable');
    expect(err.outcome.issue[0]).toMatchObject({ code: 'business-rule', expression: ['CarePlan.status'] });
    expect(err.outcome.issue[0]?.diagnostics).toContain(status);
  });
});
