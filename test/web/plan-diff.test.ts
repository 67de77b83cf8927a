/** "What changed since you agreed", computed from the agreed version and the current one (src/web/shared/plan-diff.ts). */
import { describe, expect, it } from 'vitest';
import { planChanges } from '../../src/web/shared/plan-diff.ts';
import { EXTENSION } from '../../src/validation/index.ts';

const measure = (description: string, extra: Partial<fhir4.CarePlanActivityDetail> = {}, id?: string): fhir4.CarePlanActivity => ({
  ...(id ? { id } : {}),
  detail: { status: 'not-started', description, performer: [{ reference: 'Organization/kommun' }], scheduledTiming: { repeat: { frequency: 1, period: 1, periodUnit: 'wk' } }, ...extra },
});

const plan = (activity: fhir4.CarePlanActivity[], more: Partial<fhir4.CarePlan> = {}): fhir4.CarePlan => ({
  resourceType: 'CarePlan',
  status: 'active',
  intent: 'plan',
  subject: { reference: 'Patient/p1' },
  activity,
  goal: [{ reference: 'Goal/g1' }],
  extension: [
    { url: EXTENSION.contactPerson, extension: [{ url: 'party', valueReference: { reference: 'Practitioner/anna', display: 'Anna' } }] },
    { url: EXTENSION.nextReview, valueDate: '2026-03-12' },
  ],
  ...more,
});

const goal = (text: string): fhir4.Goal => ({ resourceType: 'Goal', lifecycleStatus: 'active', description: { text }, subject: { reference: 'Patient/p1' } });
const goals = (entries: [string, fhir4.Goal][]): Map<string, fhir4.Goal> => new Map(entries);

describe('plan changes since the agreement', () => {
  it('nothing changed: progress (status, notes) is not a change', () => {
    const agreed = plan([measure('Hemtjänst')]);
    const current = plan([{ ...measure('Hemtjänst', { status: 'in-progress' }), progress: [{ text: 'Går bra' }] }]);
    expect(planChanges({ agreed, current, goalsThen: goals([['Goal/g1', goal('Bo hemma')]]), goalsNow: goals([['Goal/g1', goal('Bo hemma')]]) })).toEqual([]);
  });

  it('names added, removed, reworded and rescheduled measures', () => {
    const agreed = plan([measure('Hemtjänst'), measure('Dusch'), measure('Promenad')]);
    const current = plan([measure('Hemtjänst', { scheduledTiming: { repeat: { frequency: 2, period: 1, periodUnit: 'wk' } } }), measure('Promenad varje dag'), measure('Dietist')]);
    const changes = planChanges({ agreed, current, goalsThen: new Map(), goalsNow: new Map() });
    expect(changes).toEqual(
      expect.arrayContaining([
        { kind: 'measure-changed', text: 'Hemtjänst', before: 'Hemtjänst', aspects: ['timing'] },
        { kind: 'measure-changed', text: 'Promenad varje dag', before: 'Dusch', aspects: ['description'] },
        { kind: 'measure-changed', text: 'Dietist', before: 'Promenad', aspects: ['description'] },
      ]),
    );
    expect(changes).toHaveLength(3);
  });

  it('pairs measures by id first, so a reworded measure with an id is not "removed and added"', () => {
    const agreed = plan([measure('Dusch', {}, 'm1'), measure('Inköp', {}, 'm2')]);
    const current = plan([measure('Inköp', {}, 'm2'), measure('Dusch och hårtvätt', {}, 'm1'), measure('Fixartjänst', {}, 'm3')]);
    expect(planChanges({ agreed, current, goalsThen: new Map(), goalsNow: new Map() })).toEqual([
      { kind: 'measure-added', text: 'Fixartjänst' },
      { kind: 'measure-changed', text: 'Dusch och hårtvätt', before: 'Dusch', aspects: ['description'] },
    ]);
  });

  it('a measure given to someone else, or under another principal', () => {
    const agreed = plan([measure('Hemtjänst')]);
    const current = plan([measure('Hemtjänst', { performer: [{ reference: 'Organization/vc' }], extension: [{ url: EXTENSION.principal, valueReference: { reference: 'Organization/region' } }] })]);
    expect(planChanges({ agreed, current, goalsThen: new Map(), goalsNow: new Map() })).toEqual([{ kind: 'measure-changed', text: 'Hemtjänst', before: 'Hemtjänst', aspects: ['responsible', 'principal'] }]);
  });

  it('goals added, removed and changed in words; contact person, coordinator, follow-up date and period', () => {
    const agreed = plan([], { goal: [{ reference: 'Goal/g1' }, { reference: 'Goal/g2' }], period: { start: '2025-11-20' } });
    const current = plan([], {
      goal: [{ reference: 'Goal/g1' }, { reference: 'Goal/g3' }],
      period: { start: '2025-11-20', end: '2026-11-20' },
      extension: [
        { url: EXTENSION.contactPerson, extension: [{ url: 'party', valueReference: { reference: 'Practitioner/lena', display: 'Lena' } }] },
        { url: EXTENSION.coordinator, valueReference: { reference: 'Practitioner/lena', display: 'Lena' } },
        { url: EXTENSION.nextReview, valueDate: '2026-04-02' },
      ],
    });
    const changes = planChanges({
      agreed,
      current,
      goalsThen: goals([['Goal/g1', goal('Bo hemma')], ['Goal/g2', goal('Gå till affären')]]),
      goalsNow: goals([['Goal/g1', goal('Bo hemma med lite hjälp')], ['Goal/g3', goal('Inga akutbesök')]]),
    });
    expect(changes).toEqual([
      { kind: 'goal-removed', text: 'Gå till affären' },
      { kind: 'goal-changed', text: 'Bo hemma med lite hjälp' },
      { kind: 'goal-added', text: 'Inga akutbesök' },
      { kind: 'contact-changed', before: 'Anna', after: 'Lena' },
      { kind: 'coordinator-changed', after: 'Lena' },
      { kind: 'review-changed', before: '2026-03-12', after: '2026-04-02' },
      { kind: 'period-changed' },
    ]);
  });
});
