/**
 * A change to a goal's agreed content marks the agreement of every plan that
 * references it stale: plans written in the same request are marked in that
 * write, stored plans get a follow-up version. Progress on a goal does not.
 */
import { describe, expect, it } from 'vitest';
import { FhirError } from '../../src/errors.ts';
import { agree, agreementOf, agreementState, changedGoals, goalChangeMatters, goalWriteMatters, markStaleForGoals, preparePlanWrite, type PlansWithGoal } from '../../src/plans/index.ts';
import type { GuardedWrite, StoredVersion } from '../../src/store/index.ts';
import { storedPatientkontrakt } from './fixtures.ts';

const goal: fhir4.Goal = {
  resourceType: 'Goal',
  id: 'goal-1',
  meta: { versionId: '1' },
  lifecycleStatus: 'active',
  description: { text: 'Jag vill bo kvar hemma.' },
  subject: { reference: 'Patient/patient-1' },
  target: [{ dueDate: '2026-06-01' }],
};

const stored = (resource: fhir4.FhirResource & { id: string }, versionId = 1): StoredVersion => ({
  type: resource.resourceType,
  id: resource.id,
  versionId,
  lastUpdated: new Date('2025-11-21T10:00:00Z'),
  deleted: false,
  resource,
  sp: {},
});

const goalWrite = (after: fhir4.Goal | null, before: fhir4.Goal | null = goal, extra: Partial<GuardedWrite> = {}): GuardedWrite => ({
  type: 'Goal',
  id: 'goal-1',
  resource: after,
  expect: 1,
  current: before ? stored({ ...before, id: 'goal-1' }) : null,
  ...extra,
});

/** The patientkontrakt (references Goal/goal-1..3) with a current agreement, as stored at version 4. */
function agreedPlan(id = 'pk-tyra'): fhir4.CarePlan & { id: string } {
  const { plan } = agree({ plan: { ...storedPatientkontrakt(), id }, agent: { reference: 'Patient/patient-1' }, recorded: '2025-11-21T09:30:00Z', provenanceId: 'prov-1' });
  return { ...plan, id, meta: { versionId: '4' } };
}

/** A PlansWithGoal over fixed plans, recording what it was asked. */
function finder(plans: StoredVersion[]): PlansWithGoal & { asked: string[] } {
  const asked: string[] = [];
  const find = async (goalId: string): Promise<StoredVersion[]> => {
    asked.push(goalId);
    return plans.filter((p) => ((p.resource as fhir4.CarePlan).goal ?? []).some((g) => g.reference === `Goal/${goalId}`));
  };
  return Object.assign(find, { asked });
}

describe('which goal changes matter', () => {
  it.each<[string, Partial<fhir4.Goal>]>([
    ['the words', { description: { text: 'Jag vill flytta till ett boende nära Karin.' } }],
    ['a target', { target: [{ dueDate: '2026-09-01' }] }],
    ['the start', { startDate: '2026-01-01' }],
    ['what it addresses', { addresses: [{ reference: 'Condition/c1' }] }],
    ['cancelled', { lifecycleStatus: 'cancelled' }],
    ['rejected', { lifecycleStatus: 'rejected' }],
    ['entered in error', { lifecycleStatus: 'entered-in-error' }],
  ])('%s: matters', (_what, change) => {
    expect(goalChangeMatters(goal, { ...goal, ...change })).toBe(true);
  });

  it.each<[string, Partial<fhir4.Goal>]>([
    ['meta and narrative', { meta: { versionId: '7', lastUpdated: '2026-01-01T00:00:00Z' }, text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Mål</div>' } }],
    ['progress', { achievementStatus: { text: 'På väg' }, statusDate: '2025-12-01', note: [{ text: 'Går bra' }] }],
    ['a pursued goal moving on', { lifecycleStatus: 'completed' }],
    ['put on hold', { lifecycleStatus: 'on-hold' }],
  ])('%s: does not matter', (_what, change) => {
    expect(goalChangeMatters(goal, { ...goal, ...change })).toBe(false);
  });

  it('a goal appearing under an id, or deleted, matters; nothing to nothing does not', () => {
    expect(goalWriteMatters(null, goal)).toBe(true);
    expect(goalWriteMatters(goal, null)).toBe(true);
    expect(goalWriteMatters(null, null)).toBe(false);
  });

  it('changedGoals skips server-assigned ids (no plan can name them) and other types', () => {
    const changed = { ...goal, description: { text: 'Nytt' } };
    expect(changedGoals([goalWrite(changed)])).toEqual(['goal-1']);
    expect(changedGoals([goalWrite(changed, null, { fresh: true })])).toEqual([]);
    expect(changedGoals([goalWrite({ ...goal, note: [{ text: 'x' }] })])).toEqual([]);
    expect(changedGoals([{ type: 'Patient', id: 'goal-1', resource: { resourceType: 'Patient' }, expect: 0, current: null }])).toEqual([]);
  });
});

describe('markStaleForGoals', () => {
  it('gives each stored plan with a current agreement that references the goal a stale follow-up version', async () => {
    const plans = [stored(agreedPlan('a'), 4), stored(agreedPlan('b'), 4)];
    const find = finder(plans);
    const { writes, followUps } = await markStaleForGoals([goalWrite({ ...goal, description: { text: 'Nytt mål' } })], find);
    expect(find.asked).toEqual(['goal-1']);
    expect(writes).toHaveLength(1);
    expect(followUps.map((f) => [f.type, f.id, f.expect, agreementState(f.resource as fhir4.CarePlan)])).toEqual([
      ['CarePlan', 'a', 4, 'stale'],
      ['CarePlan', 'b', 4, 'stale'],
    ]);
    // Only the status moves: which version was agreed to, and when, stays.
    expect(agreementOf(followUps[0]!.resource as fhir4.CarePlan)?.agreedVersion).toBe('CarePlan/a/_history/3');
    expect(followUps[0]!.current).toBe(plans[0]);
  });

  it('leaves plans alone when the change does not matter, without looking for them', async () => {
    const find = finder([stored(agreedPlan(), 4)]);
    const r = await markStaleForGoals([goalWrite({ ...goal, meta: { versionId: '2' }, achievementStatus: { text: 'Uppnått' } })], find);
    expect(r.followUps).toEqual([]);
    expect(find.asked).toEqual([]);
  });

  it('writes nothing for plans never agreed to or already stale', async () => {
    const never = stored({ ...storedPatientkontrakt(), id: 'never' }, 3);
    const { plan: staleAlready } = preparePlanWrite(agreedPlan('stale'), { ...agreedPlan('stale'), goal: [{ reference: 'Goal/goal-1' }] });
    expect(agreementState(staleAlready)).toBe('stale');
    const r = await markStaleForGoals([goalWrite(null)], finder([never, stored({ ...staleAlready, id: 'stale' }, 5)]));
    expect(r.followUps).toEqual([]);
  });

  it('marks a plan written in the same request in that write, not as a follow-up', async () => {
    const plan = agreedPlan();
    const planWrite: GuardedWrite = { type: 'CarePlan', id: plan.id, resource: { ...plan, note: [{ text: 'Uppdaterad' }] }, expect: 4, current: stored(plan, 4) };
    const r = await markStaleForGoals([goalWrite({ ...goal, target: [] }), planWrite], finder([stored(plan, 4)]));
    expect(r.followUps).toEqual([]);
    expect(agreementState(r.writes[1]!.resource as fhir4.CarePlan)).toBe('stale');
    expect(agreementState(planWrite.resource as fhir4.CarePlan)).toBe('current'); // the input is not changed
  });

  it('refuses a plan that becomes active in the request that makes its agreement stale, naming its write', async () => {
    const plan = agreedPlan();
    const activate: GuardedWrite = { type: 'CarePlan', id: plan.id, resource: { ...plan, status: 'active' }, expect: 4, current: stored(plan, 4) };
    const seen: number[] = [];
    const err = await markStaleForGoals([goalWrite({ ...goal, description: { text: 'Annat' } }), activate], finder([]), (_e, i) => seen.push(i)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirError);
    expect((err as FhirError).status).toBe(422);
    expect((err as FhirError).outcome.issue[0]?.diagnostics).toMatch(/older version|agree/);
    expect(seen).toEqual([1]);
  });

  it('one follow-up per plan, however many of its goals change', async () => {
    const plan = stored(agreedPlan(), 4);
    const g2: GuardedWrite = { ...goalWrite({ ...goal, id: 'goal-2', description: { text: 'Två' } }), id: 'goal-2', current: stored({ ...goal, id: 'goal-2' }) };
    const r = await markStaleForGoals([goalWrite({ ...goal, description: { text: 'Ett' } }), g2], finder([plan]));
    expect(r.followUps.map((f) => f.id)).toEqual(['pk-tyra']);
  });
});
