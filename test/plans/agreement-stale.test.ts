/**
 * The agreement follows the plan: a change to what the patient agreed to
 * (measures, goals, contacts, period) marks it as applying to an older
 * version — visibly, on the plan — until the patient agrees again. Progress
 * does not. The agreement is the server's: clients cannot set or forge it.
 */
import { describe, expect, it } from 'vitest';
import {
  agree,
  agreementAfterChange,
  agreementOf,
  agreementState,
  goalChangeMatters,
  markAgreementStale,
  preparePlanWrite,
} from '../../src/plans/index.ts';
import { EXTENSION, validateResource } from '../../src/validation/index.ts';
import { storedPatientkontrakt, thrown } from './fixtures.ts';

const patient = { reference: 'Patient/patient-1' };

/** An active patientkontrakt the patient agreed to at version 3, as stored at version 4. */
function activeAgreed(): fhir4.CarePlan {
  const { plan } = agree({ plan: storedPatientkontrakt(), agent: patient, recorded: '2025-11-21T09:30:00Z', provenanceId: 'prov-1' });
  const { plan: active } = preparePlanWrite(plan, { ...plan, status: 'active' });
  return { ...active, meta: { versionId: '4' } };
}
const edit = (f: (p: fhir4.CarePlan) => void): fhir4.CarePlan => {
  const p = structuredClone(activeAgreed());
  f(p);
  return p;
};
const detail = (p: fhir4.CarePlan, i: number): fhir4.CarePlanActivityDetail => p.activity?.[i]?.detail as fhir4.CarePlanActivityDetail;

describe('changes that make the agreement stale', () => {
  it.each<[string, (p: fhir4.CarePlan) => void]>([
    ['a measure reworded', (p) => (detail(p, 2).description = 'Hemsjukvård två gånger i veckan')],
    ['a measure removed', (p) => p.activity?.splice(3, 1)],
    ['a measure added', (p) => p.activity?.push({ detail: { status: 'not-started', description: 'Dagverksamhet', performer: [{ reference: 'Organization/organization-3' }] } })],
    ['a measure handed to someone else', (p) => (detail(p, 2).performer = [{ reference: 'Organization/organization-2' }])],
    ['a measure rescheduled', (p) => (detail(p, 5).scheduledTiming = { repeat: { frequency: 2, period: 1, periodUnit: 'd' } })],
    ['a goal added', (p) => p.goal?.push({ reference: 'Goal/goal-9' })],
    ['a goal removed', (p) => p.goal?.pop()],
    ['the fast vårdkontakt’s phone changed', (p) => (p.extension?.[0]?.extension?.[1]?.valueContactPoint && (p.extension[0].extension[1].valueContactPoint.value = '+46 411 00 00 99'))],
    ['the coordinator changed', (p) => (p.extension?.[1]?.valueReference && (p.extension[1].valueReference = { reference: 'Practitioner/practitioner-2', display: 'Per Provsson' }))],
    ['the plan period changed', (p) => (p.period = { start: '2025-11-20', end: '2026-05-20' })],
  ])('%s', (_what, change) => {
    const before = activeAgreed();
    const after = agreementAfterChange(before, edit(change));
    const a = agreementOf(after);
    expect(a?.status).toBe('stale');
    // It still says which (older) version the patient agreed to, and when.
    expect(a?.agreedVersion).toBe('CarePlan/pk-tyra/_history/3');
    expect(a?.agreedAt).toBe('2025-11-21T09:30:00Z');
    // Visible on the plan itself:
    const ext = after.extension?.find((e) => e.url === EXTENSION.agreement);
    expect(ext?.extension?.find((e) => e.url === 'status')?.valueCode).toBe('stale');
  });
});

describe('changes that leave the agreement current', () => {
  it.each<[string, (p: fhir4.CarePlan) => void]>([
    ['a measure started', (p) => (detail(p, 2).status = 'in-progress')],
    ['a measure completed with a reason', (p) => Object.assign(detail(p, 7), { status: 'completed', statusReason: { text: 'Vaccinerad 2025-11-25' } })],
    ['progress noted', (p) => p.activity?.[5] && (p.activity[5].progress = [{ text: 'Vikten stabil i två veckor', time: '2025-12-05' }])],
    ['the next follow-up moved', (p) => (p.extension?.[2] && (p.extension[2].valueDate = '2026-04-02'))],
    ['a note added', (p) => (p.note = [{ text: 'Karin följer med på uppföljningen.' }])],
    ['the narrative rewritten', (p) => p.text && (p.text.div = '<div xmlns="http://www.w3.org/1999/xhtml"><p>Uppdaterad</p></div>')],
    ['the goals reordered', (p) => p.goal?.reverse()],
    ['the plan put on hold', (p) => (p.status = 'on-hold')],
  ])('%s', (_what, change) => {
    expect(agreementState(agreementAfterChange(activeAgreed(), edit(change)))).toBe('current');
  });
});

describe('staleness is visible and sticky until a new $agree', () => {
  it('an active plan stays active and valid with a stale agreement; it cannot be re-activated until renewed', () => {
    const before = activeAgreed();
    const { plan: changed } = preparePlanWrite(before, edit((p) => detail(p, 2).description = 'Hemsjukvård varannan dag'));
    expect(changed.status).toBe('active');
    expect(agreementState(changed)).toBe('stale');
    expect(validateResource(changed).filter((i) => i.severity === 'error')).toEqual([]);

    const onHold = preparePlanWrite({ ...changed, meta: { versionId: '5' } }, { ...changed, status: 'on-hold' }).plan;
    expect(thrown(() => preparePlanWrite(onHold, { ...onHold, status: 'active' })).outcome.issue[0]?.diagnostics).toContain('older version');

    const renewed = agree({ plan: { ...onHold, meta: { versionId: '6' } }, agent: patient }).plan;
    expect(agreementOf(renewed)).toMatchObject({ status: 'current', agreedVersion: 'CarePlan/pk-tyra/_history/6' });
    expect(() => preparePlanWrite(renewed, { ...renewed, status: 'active' })).not.toThrow();
  });

  it('changing the content back does not make it current again', () => {
    const before = activeAgreed();
    const changed = agreementAfterChange(before, edit((p) => detail(p, 2).description = 'Annat'));
    const reverted = agreementAfterChange(changed, { ...structuredClone(before), extension: changed.extension });
    expect(agreementState(reverted)).toBe('stale');
  });

  it('markAgreementStale marks it (e.g. when a referenced Goal was reworded)', () => {
    const goal: fhir4.Goal = { resourceType: 'Goal', lifecycleStatus: 'active', description: { text: 'Jag vill bo kvar hemma.' }, subject: patient };
    expect(goalChangeMatters(goal, { ...goal, description: { text: 'Jag vill flytta till ett boende nära Karin.' } })).toBe(true);
    expect(goalChangeMatters(goal, { ...goal, target: [{ dueDate: '2026-06-01' }] })).toBe(true);
    expect(goalChangeMatters(goal, { ...goal, achievementStatus: { text: 'På väg' }, note: [{ text: 'Går bra' }] })).toBe(false);
    expect(agreementState(markAgreementStale(activeAgreed()))).toBe('stale');
    expect(agreementState(markAgreementStale(storedPatientkontrakt()))).toBe('none');
  });
});

describe('the agreement belongs to the server', () => {
  it('a client cannot mark a changed plan current', () => {
    const before = activeAgreed();
    const forged = edit((p) => detail(p, 2).description = 'Annat');
    expect(agreementState(forged)).toBe('current'); // the client kept the old extension...
    expect(agreementState(agreementAfterChange(before, forged))).toBe('stale'); // ...the server does not
  });

  it('a client cannot remove the agreement', () => {
    const before = activeAgreed();
    const removed = edit((p) => (p.extension = p.extension?.filter((e) => e.url !== EXTENSION.agreement)));
    expect(agreementOf(agreementAfterChange(before, removed))).toEqual(agreementOf(before));
  });

  it('a client cannot bring an agreement to a new plan, unless the caller trusts it (sync, import)', () => {
    const agreed = activeAgreed();
    expect(agreementState(agreementAfterChange(undefined, agreed))).toBe('none');
    // Refused by the profile rule (spl-cp-2) before the lifecycle check gets to say the same.
    expect(thrown(() => preparePlanWrite(undefined, agreed)).outcome.issue[0]?.diagnostics).toMatch(/has not agreed|spl-cp-2/);
    expect(agreementState(agreementAfterChange(undefined, agreed, { trustIncoming: true }))).toBe('current');
    const changedElsewhere = edit((p) => detail(p, 2).description = 'Annat');
    expect(agreementState(agreementAfterChange(undefined, changedElsewhere, { trustIncoming: true }))).toBe('stale');
  });

  it('a client cannot set a stale agreement current again', () => {
    const stale = agreementAfterChange(activeAgreed(), edit((p) => detail(p, 2).description = 'Annat'));
    const forged = structuredClone(stale);
    const status = forged.extension?.find((e) => e.url === EXTENSION.agreement)?.extension?.find((e) => e.url === 'status');
    if (status) status.valueCode = 'current';
    expect(agreementState(agreementAfterChange(stale, forged))).toBe('stale');
  });
});
