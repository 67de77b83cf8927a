/**
 * The rules of each plan kind as a plan write meets them: every example
 * becomes a valid active plan once agreed; each kind's own rule refuses a
 * plan that breaks it with 422 and the element at fault.
 */
import { describe, expect, it } from 'vitest';
import { agree, planKinds, planRuleIssues, preparePlanWrite } from '../../src/plans/index.ts';
import { CODE_SYSTEM, EXTENSION, PROFILE, validateDetailed } from '../../src/validation/index.ts';
import { EXAMPLES, examplePlan, thrown } from './fixtures.ts';

/** The example as an active plan its patient agreed to. */
function activate(name: (typeof EXAMPLES)[number]): fhir4.CarePlan {
  const stored = examplePlan(name);
  const { plan } = agree({ plan: stored, agent: stored.subject, recorded: '2025-11-25T10:00:00Z' });
  return preparePlanWrite(plan, { ...plan, status: 'active' }).plan;
}
const errorsOf = (p: fhir4.CarePlan): string[] => planRuleIssues(p).filter((i) => i.severity === 'error').map((i) => `${i.code} ${i.expression?.[0]}`);
const without = (p: fhir4.CarePlan, url: string): fhir4.CarePlan => ({ ...p, extension: p.extension?.filter((e) => e.url !== url) });

describe.each(EXAMPLES)('example %s', (name) => {
  it('is a valid draft and becomes a valid active plan with the patient’s agreement', () => {
    expect(planRuleIssues(examplePlan(name))).toEqual([]);
    const active = activate(name);
    expect(active.status).toBe('active');
    expect(planRuleIssues(active)).toEqual([]);
  });

  it('needs a next follow-up date once active', () => {
    const active = activate(name);
    const err = thrown(() => preparePlanWrite(active, without(active, EXTENSION.nextReview)));
    expect(err.status).toBe(422);
    expect(err.outcome.issue.map((i) => i.expression?.[0])).toContain(`CarePlan.extension('${EXTENSION.nextReview}')`);
  });

  it('needs every measure to name who is responsible', () => {
    const p = structuredClone(examplePlan(name));
    delete p.activity?.[1]?.detail?.performer;
    expect(errorsOf(p)).toContain('required CarePlan.activity[1].detail.performer');
  });
});

describe('patientkontrakt', () => {
  it('names a reachable fast vårdkontakt', () => {
    const p = examplePlan('patientkontrakt-skane');
    expect(errorsOf(without(p, EXTENSION.contactPerson))).toContain(`required CarePlan.extension('${EXTENSION.contactPerson}')`);
    const unreachable = structuredClone(p);
    const cp = unreachable.extension?.find((e) => e.url === EXTENSION.contactPerson);
    if (cp) cp.extension = cp.extension?.filter((e) => e.url !== 'telecom');
    expect(errorsOf(unreachable)).toContain("required CarePlan.extension[0].extension('telecom')");
  });

  it('may involve only one principal', () => {
    const p = structuredClone(examplePlan('patientkontrakt-skane'));
    const vc = p.author as fhir4.Reference;
    p.contributor = [vc];
    for (const a of p.activity ?? []) if (a.detail?.performer?.[0]?.type === 'Organization') a.detail.performer = [vc];
    expect(errorsOf(p)).toEqual([]);
  });

  it('warns when the patient’s own measures or agreed times are missing', () => {
    const p = structuredClone(examplePlan('patientkontrakt-skane'));
    p.activity = p.activity?.filter((a) => a.detail?.performer?.[0]?.type !== 'Patient');
    delete p.activity?.[0]?.detail?.scheduledTiming;
    const warnings = planRuleIssues({ ...p, status: 'active' }).filter((i) => i.severity === 'warning').map((i) => i.diagnostics?.slice(0, 8));
    expect(warnings).toEqual(expect.arrayContaining(['spl-pk-4', 'spl-pk-5']));
  });
});

describe('individuell plan', () => {
  it('names its koordinator', () => {
    expect(errorsOf(without(examplePlan('individuell-plan-fact'), EXTENSION.coordinator))).toContain(`required CarePlan.extension('${EXTENSION.coordinator}')`);
  });

  it('cannot become active without consent or goals', () => {
    const active = activate('individuell-plan-fact');
    expect(errorsOf(without(active, EXTENSION.consent))).toContain(`required CarePlan.extension('${EXTENSION.consent}')`);
    const { goal: _g, ...noGoals } = active;
    expect(errorsOf(noGoals)).toContain('required CarePlan.goal');
  });
});

describe('SIP', () => {
  it('involves at least two organisations', () => {
    const p = structuredClone(examplePlan('sip-ungdom'));
    const soc = p.author as fhir4.Reference;
    p.contributor = [soc];
    for (const a of p.activity ?? []) {
      if (a.detail?.performer?.[0]?.type === 'Organization') a.detail.performer = [soc];
      if (a.detail?.extension) a.detail.extension = [{ url: EXTENSION.principal, valueReference: soc }];
    }
    expect(errorsOf(p)).toEqual(['invariant CarePlan.contributor']);
  });

  it('counts organisations from performers and principals too, not only contributors', () => {
    const p = structuredClone(examplePlan('sip-ungdom'));
    delete p.contributor;
    delete p.author;
    expect(errorsOf(p)).toEqual([]);
  });

  it('names a coordinator and says which principal does each measure', () => {
    const p = examplePlan('sip-ungdom');
    expect(errorsOf(without(p, EXTENSION.coordinator))).toContain(`required CarePlan.extension('${EXTENSION.coordinator}')`);
    const q = structuredClone(p);
    delete q.activity?.[0]?.detail?.extension; // a psychologist's measure, no principal
    expect(errorsOf(q)).toContain(`required CarePlan.activity[0].detail.extension('${EXTENSION.principal}')`);
  });

  it('held to both profiles when it is also a patientkontrakt', () => {
    const p = structuredClone(examplePlan('sip-ungdom'));
    p.category?.push({ coding: [{ system: CODE_SYSTEM.planKind, code: 'patientkontrakt' }] });
    expect(planKinds(p)).toEqual(['sip', 'patientkontrakt']);
    expect(validateDetailed(p).profiles).toEqual([PROFILE.carePlan, PROFILE.sip, PROFILE.patientkontrakt]);
    expect(errorsOf(p)).toEqual([]);
    expect(errorsOf(without(p, EXTENSION.contactPerson))).toEqual(
      expect.arrayContaining([`required CarePlan.extension('${EXTENSION.contactPerson}')`]),
    );
  });
});
