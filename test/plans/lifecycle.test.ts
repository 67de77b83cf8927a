/**
 * Every status change of a plan, allowed and refused, and the agreement a
 * plan needs to become active.
 */
import { describe, expect, it } from 'vitest';
import { agree, agreementAfterChange, assertTransition, canTransition, PLAN_STATUSES, type PlanStatus } from '../../src/plans/index.ts';
import { storedPatientkontrakt, thrown } from './fixtures.ts';

const ALLOWED: [PlanStatus, PlanStatus][] = [
  ['draft', 'active'],
  ['draft', 'entered-in-error'],
  ['active', 'on-hold'],
  ['active', 'completed'],
  ['active', 'revoked'],
  ['active', 'entered-in-error'],
  ['on-hold', 'active'],
  ['on-hold', 'completed'],
  ['on-hold', 'revoked'],
  ['on-hold', 'entered-in-error'],
  ['completed', 'entered-in-error'],
  ['revoked', 'entered-in-error'],
  ['unknown', 'entered-in-error'],
];
const allowed = new Set(ALLOWED.map(([f, t]) => `${f}>${t}`));
const pairs = PLAN_STATUSES.flatMap((from) => PLAN_STATUSES.filter((to) => to !== from).map((to) => [from, to] as [PlanStatus, PlanStatus]));
const REFUSED = pairs.filter(([f, t]) => !allowed.has(`${f}>${t}`));

/** A stored plan the patient has agreed to (current agreement), in status `status`. */
function agreedPlan(status: PlanStatus): fhir4.CarePlan {
  const { plan } = agree({ plan: storedPatientkontrakt(), agent: { reference: 'Patient/patient-1' }, recorded: '2025-11-20T10:00:00Z', provenanceId: 'prov-1' });
  return { ...plan, status };
}

describe('lifecycle table', () => {
  it('has 13 allowed and 29 refused changes between the 7 statuses', () => {
    expect(ALLOWED).toHaveLength(13);
    expect(REFUSED).toHaveLength(42 - 13);
  });

  it.each(ALLOWED)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(agreedPlan(from), agreedPlan(to))).not.toThrow();
  });

  it.each(REFUSED)('refuses %s → %s, naming both', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    const err = thrown(() => assertTransition(agreedPlan(from), agreedPlan(to)));
    expect(err.kind).toBe('unprocessable');
    expect(err.status).toBe(422);
    const [issue] = err.outcome.issue;
    expect(issue).toMatchObject({ severity: 'error', code: 'business-rule', expression: ['CarePlan.status'] });
    expect(issue?.diagnostics).toContain(`from ${from} to ${to}`);
  });

  it.each(PLAN_STATUSES)('treats %s → %s (no change) as allowed', (s) => {
    expect(canTransition(s, s)).toBe(true);
    expect(() => assertTransition(agreedPlan(s), agreedPlan(s))).not.toThrow();
  });
});

describe('becoming active', () => {
  const draft = storedPatientkontrakt();

  it('is refused without an agreement', () => {
    const err = thrown(() => assertTransition(draft, { ...draft, status: 'active' }));
    expect(err.outcome.issue[0]?.diagnostics).toMatch(/from draft to active: the patient has not agreed/);
    expect(err.outcome.issue[0]?.expression).toEqual(['CarePlan.status']);
  });

  it('is refused with an agreement that applies to an older version', () => {
    const agreed = agreedPlan('draft');
    const changed = agreementAfterChange(agreed, { ...agreed, description: 'x', activity: agreed.activity?.slice(1) });
    const err = thrown(() => assertTransition(agreed, { ...changed, status: 'active' }));
    expect(err.outcome.issue[0]?.diagnostics).toMatch(/from draft to active: .*older version/);
  });

  it('is refused from on-hold too when the agreement went stale while on hold', () => {
    const onHold = agreedPlan('on-hold');
    const changed = agreementAfterChange(onHold, { ...onHold, activity: onHold.activity?.slice(1) });
    expect(thrown(() => assertTransition(onHold, { ...changed, status: 'active' })).outcome.issue[0]?.diagnostics).toContain('from on-hold to active');
  });

  it('is allowed with a current agreement', () => {
    expect(() => assertTransition(agreedPlan('draft'), agreedPlan('active'))).not.toThrow();
  });

  it('does not need the agreement for other changes: an active plan with a stale agreement can go on hold or complete', () => {
    const active = agreedPlan('active');
    const changed = agreementAfterChange(active, { ...active, activity: active.activity?.slice(1) });
    for (const to of ['on-hold', 'completed', 'revoked', 'entered-in-error'] as const) {
      expect(() => assertTransition(changed, { ...changed, status: to })).not.toThrow();
    }
  });
});

describe('creating a plan', () => {
  it('starts as draft', () => {
    expect(canTransition(undefined, 'draft')).toBe(true);
    expect(() => assertTransition(undefined, storedPatientkontrakt())).not.toThrow();
  });

  it('may start active only with a current agreement it brings (import, sync)', () => {
    expect(() => assertTransition(undefined, agreedPlan('active'))).not.toThrow();
    const err = thrown(() => assertTransition(undefined, { ...storedPatientkontrakt(), status: 'active' }));
    expect(err.outcome.issue[0]?.diagnostics).toContain('from none (new plan) to active');
  });

  it.each(['completed', 'revoked', 'entered-in-error', 'unknown'] as const)('cannot start as %s', (status) => {
    expect(canTransition(undefined, status)).toBe(false);
    const err = thrown(() => assertTransition(undefined, agreedPlan(status)));
    expect(err.outcome.issue[0]?.diagnostics).toContain(`from none (new plan) to ${status}`);
  });
});
