/**
 * The plan editor's form: each field carries the FHIRPath of the element it
 * edits (`data-expression`), so a validation message from the server's
 * OperationOutcome (`issue.expression`) is shown next to its field; and
 * `readForm` puts the form's values onto the version the form was made from.
 */
import { normaliseReference } from '../../../auth/references.ts';
import { EXTENSION } from '../../../validation/canonical.ts';
import { TRANSITIONS, type PlanStatus } from '../../../plans/transitions.ts';
import { h } from '../../shared/dom.ts';
import { t, type MessageKey } from '../../shared/i18n.ts';
import { contactPerson, coordinator, nextReview } from '../../shared/plan.ts';
import { activityStatusText, nameOf, statusText } from '../../shared/words.ts';

const ACTIVITY_STATUSES: fhir4.CarePlanActivityDetail['status'][] = ['not-started', 'scheduled', 'in-progress', 'on-hold', 'completed', 'cancelled', 'stopped'];
const UNITS = ['d', 'wk', 'mo', 'a'] as const;

/** Who may be named on a plan: the patient, and the team's people and organisations. */
export interface Parties {
  patient: fhir4.Reference;
  people: fhir4.Reference[];
  organisations: fhir4.Reference[];
}

/** The team's people and organisations, and everyone the plan already names (a performer need not be on the team). */
export function partiesOf(plan: fhir4.CarePlan, teams: fhir4.CareTeam[]): Parties {
  const people = new Map<string, fhir4.Reference>();
  const organisations = new Map<string, fhir4.Reference>();
  const add = (r: fhir4.Reference | undefined): void => {
    const ref = normaliseReference(r?.reference);
    if (ref && /^(Practitioner|PractitionerRole)\//.test(ref) && !people.has(ref)) people.set(ref, { ...r, reference: ref });
    if (ref?.startsWith('Organization/') && !organisations.has(ref)) organisations.set(ref, { ...r, reference: ref });
  };
  for (const p of teams.flatMap((tm) => tm.participant ?? [])) {
    add(p.member);
    add(p.onBehalfOf);
  }
  for (const a of plan.activity ?? []) for (const r of [...(a.detail?.performer ?? []), ...(a.detail?.extension ?? []).map((e) => e.valueReference)]) add(r);
  [plan.author, ...(plan.contributor ?? []), coordinator(plan), contactPerson(plan)?.party].forEach(add);
  return { patient: plan.subject, people: [...people.values()], organisations: [...organisations.values()] };
}

let uid = 0;
function field(label: string, control: HTMLElement, expression: string): HTMLElement {
  const id = control.id || `f${++uid}`;
  control.id = id;
  control.setAttribute('data-expression', expression);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

const option = (value: string, text: string, selected: boolean): HTMLOptionElement => h('option', { value, selected }, text);

function partySelect(name: string, parties: Parties, chosen: string | undefined, opts: { patient: boolean; none: boolean }): HTMLSelectElement {
  const all = [...(opts.patient ? [parties.patient] : []), ...parties.organisations, ...parties.people];
  return h('select', { name },
    opts.none ? option('', t('team.field.nobody'), !chosen) : null,
    all.map((r) => option(normaliseReference(r.reference) ?? '', `${nameOf(r)}${r === parties.patient ? ` (${t('team.field.thePatient')})` : ''}`, normaliseReference(r.reference) === normaliseReference(chosen))),
  );
}

function measureFields(a: fhir4.CarePlanActivity, i: number, parties: Parties): HTMLElement {
  const d = a.detail;
  const repeat = d?.scheduledTiming?.repeat;
  const at = `CarePlan.activity[${i}].detail`;
  const unit = h('select', { name: 'unit' }, option('', t('team.field.noRepeat'), !repeat?.periodUnit), UNITS.map((u) => option(u, t(`unit.${u}` as MessageKey), repeat?.periodUnit === u)));
  return h('fieldset', { class: 'measure-edit', 'data-index': String(i) },
    h('legend', {}, t('team.field.measure', { n: i + 1 })),
    field(t('team.field.description'), h('textarea', { name: 'description', rows: 2 }, d?.description ?? ''), `${at}.description`),
    field(t('team.field.responsible'), partySelect('performer', parties, d?.performer?.[0]?.reference, { patient: true, none: false }), `${at}.performer`),
    h('div', { class: 'inline' },
      field(t('team.field.times'), h('input', { name: 'frequency', type: 'number', min: 1, max: 30, value: String(repeat?.frequency ?? 1) }), `${at}.scheduledTiming.repeat.frequency`),
      field(t('team.field.every'), h('input', { name: 'period', type: 'number', min: 1, max: 365, value: String(repeat?.period ?? 1) }), `${at}.scheduledTiming.repeat.period`),
      field(t('team.field.unit'), unit, `${at}.scheduledTiming`),
    ),
    field(t('team.field.when'), h('input', { name: 'when', type: 'text', value: d?.scheduledString ?? '' }), `${at}.scheduledString`),
    field(t('team.field.activityStatus'), h('select', { name: 'status' }, ACTIVITY_STATUSES.map((s) => option(s, activityStatusText(s), d?.status === s))), `${at}.status`),
    h('button', { type: 'button', class: 'link remove-measure', onclick: (e: Event) => (e.target as HTMLElement).closest('fieldset')!.remove() }, t('team.field.removeMeasure')),
  );
}

export function planForm(plan: fhir4.CarePlan, goals: Map<string, fhir4.Goal>, parties: Parties): HTMLFormElement {
  const status = plan.status as PlanStatus;
  const contact = contactPerson(plan);
  const measures = h('div', { class: 'measures-edit' }, (plan.activity ?? []).map((a, i) => measureFields(a, i, parties)));
  let added = plan.activity?.length ?? 0;
  return h('form', { class: 'plan-form', novalidate: true },
    h('div', { class: 'form-problems', 'data-expression': 'CarePlan' }),
    h('fieldset', {}, h('legend', {}, t('team.section.plan')),
      field(t('team.field.title'), h('input', { name: 'title', type: 'text', value: plan.title ?? '' }), 'CarePlan.title'),
      field(t('team.field.planDescription'), h('textarea', { name: 'planDescription', rows: 3 }, plan.description ?? ''), 'CarePlan.description'),
      field(t('plan.status'), h('select', { name: 'planStatus', 'data-also': `CarePlan.extension('${EXTENSION.agreement}')` }, [status, ...TRANSITIONS[status]].map((s) => option(s, statusText(s), s === status))), 'CarePlan.status'),
      h('div', { class: 'inline' },
        field(t('team.field.start'), h('input', { name: 'start', type: 'date', value: plan.period?.start ?? '' }), 'CarePlan.period.start'),
        field(t('team.field.end'), h('input', { name: 'end', type: 'date', value: plan.period?.end ?? '' }), 'CarePlan.period.end'),
        field(t('plan.nextReview'), h('input', { name: 'nextReview', type: 'date', value: nextReview(plan) ?? '' }), `CarePlan.extension('${EXTENSION.nextReview}')`),
      ),
    ),
    h('fieldset', {}, h('legend', {}, t('contact.title')),
      field(t('contact.person'), partySelect('contactPerson', parties, contact?.party.reference, { patient: false, none: true }), `CarePlan.extension('${EXTENSION.contactPerson}')`),
      field(t('contact.phone'), h('input', { name: 'contactPhone', type: 'tel', value: contact?.telecom.find((c) => c.system === 'phone')?.value ?? '' }), `CarePlan.extension('${EXTENSION.contactPerson}').extension('telecom')`),
      field(t('contact.hours'), h('input', { name: 'contactHours', type: 'text', value: contact?.availability ?? '' }), `CarePlan.extension('${EXTENSION.contactPerson}').extension('availability')`),
      field(t('contact.coordinator'), partySelect('coordinator', parties, coordinator(plan)?.reference, { patient: false, none: true }), `CarePlan.extension('${EXTENSION.coordinator}')`),
    ),
    h('fieldset', {}, h('legend', {}, t('goals.title')),
      (plan.goal ?? []).map((g, i) => {
        const goal = goals.get(normaliseReference(g.reference) ?? '');
        return field(t('team.field.goal', { n: i + 1 }), h('input', { name: 'goal', type: 'text', 'data-goal': normaliseReference(g.reference) ?? '', value: goal?.description.text ?? '' }), `Goal.description`);
      }),
      field(t('team.field.newGoal'), h('input', { name: 'newGoal', type: 'text', value: '' }), 'Goal.description'),
    ),
    h('fieldset', {}, h('legend', {}, t('measures.title')),
      measures,
      h('button', { type: 'button', onclick: () => measures.append(measureFields({ detail: { status: 'not-started' } }, added++, parties)) }, t('team.field.addMeasure')),
    ),
    h('p', {}, h('button', { type: 'submit', class: 'primary' }, t('team.save'))),
  );
}

const value = (root: ParentNode, name: string): string => (root.querySelector<HTMLInputElement>(`[name="${name}"]`)?.value ?? '').trim();

function withExtension(plan: fhir4.CarePlan, url: string, ext: fhir4.Extension | undefined): void {
  const others = (plan.extension ?? []).filter((e) => e.url !== url);
  plan.extension = ext ? [...others, ext] : others;
  if (plan.extension.length === 0) delete plan.extension;
}

function partyRef(parties: Parties, ref: string): fhir4.Reference | undefined {
  const all = [parties.patient, ...parties.organisations, ...parties.people];
  const found = all.find((r) => normaliseReference(r.reference) === ref);
  return found ? { reference: ref, ...(found.display ? { display: found.display } : {}) } : undefined;
}

/** The plan as the form says, on top of `base` (the version the form was made from): what is not on the form stays as it was. */
export function readForm(form: HTMLFormElement, base: fhir4.CarePlan, parties: Parties): fhir4.CarePlan {
  const plan = structuredClone(base);
  const set = <K extends keyof fhir4.CarePlan>(key: K, v: fhir4.CarePlan[K] | undefined): void => {
    if (v === undefined || v === '') delete plan[key];
    else plan[key] = v;
  };
  set('title', value(form, 'title') || undefined);
  set('description', value(form, 'planDescription') || undefined);
  plan.status = value(form, 'planStatus') as PlanStatus;
  const start = value(form, 'start');
  const end = value(form, 'end');
  if (start !== (base.period?.start ?? '') || end !== (base.period?.end ?? '')) set('period', start || end ? { ...(start ? { start } : {}), ...(end ? { end } : {}) } : undefined);
  const review = value(form, 'nextReview');
  if (review !== (nextReview(base) ?? '')) withExtension(plan, EXTENSION.nextReview, review ? { url: EXTENSION.nextReview, valueDate: review } : undefined);

  const contactRef = partyRef(parties, value(form, 'contactPerson'));
  const before = contactPerson(base);
  const phone = value(form, 'contactPhone');
  const hours = value(form, 'contactHours');
  const contactSame = normaliseReference(before?.party.reference) === contactRef?.reference && (before?.telecom.find((c) => c.system === 'phone')?.value ?? '') === phone && (before?.availability ?? '') === hours;
  const telecom = [...(phone ? [{ system: 'phone' as const, value: phone, use: 'work' as const }] : []), ...(before?.telecom.filter((c) => c.system !== 'phone') ?? [])];
  // What the form did not change stays exactly as stored (the same extension, its order and its displays).
  if (!contactSame) withExtension(plan, EXTENSION.contactPerson, contactRef ? {
    url: EXTENSION.contactPerson,
    extension: [{ url: 'party', valueReference: contactRef }, ...telecom.map((c) => ({ url: 'telecom', valueContactPoint: c })), ...(hours ? [{ url: 'availability', valueString: hours }] : [])],
  } : undefined);
  const coord = partyRef(parties, value(form, 'coordinator'));
  if (normaliseReference(coordinator(base)?.reference) !== coord?.reference) withExtension(plan, EXTENSION.coordinator, coord ? { url: EXTENSION.coordinator, valueReference: coord } : undefined);

  const activities: fhir4.CarePlanActivity[] = [];
  for (const fs of form.querySelectorAll<HTMLFieldSetElement>('fieldset.measure-edit')) {
    const i = Number(fs.dataset['index']);
    const old = base.activity?.[i];
    const a: fhir4.CarePlanActivity = old ? structuredClone(old) : { detail: { status: 'not-started' } };
    const d = (a.detail ??= { status: 'not-started' });
    const description = value(fs, 'description');
    if (description) d.description = description;
    else delete d.description;
    const performer = partyRef(parties, value(fs, 'performer'));
    if (performer && normaliseReference(d.performer?.[0]?.reference) !== performer.reference) d.performer = [performer, ...(d.performer ?? []).slice(1)];
    const unit = value(fs, 'unit');
    const when = value(fs, 'when');
    const frequency = Number(value(fs, 'frequency')) || 1;
    const period = Number(value(fs, 'period')) || 1;
    const r = old?.detail?.scheduledTiming?.repeat;
    const timingSame = (r?.periodUnit ?? '') === unit && (!unit || ((r?.frequency ?? 1) === frequency && (r?.period ?? 1) === period)) && (old?.detail?.scheduledString ?? '') === when;
    // An untouched schedule stays as stored (bounds, events, a period in dates); a changed one is what the form says.
    if (!timingSame) {
      delete d.scheduledTiming;
      delete d.scheduledString;
      delete d.scheduledPeriod;
      if (unit) d.scheduledTiming = { repeat: { frequency, period, periodUnit: unit as 'd' } };
      else if (when) d.scheduledString = when;
    }
    d.status = value(fs, 'status') as fhir4.CarePlanActivityDetail['status'];
    activities.push(a);
  }
  set('activity', activities.length > 0 ? activities : undefined);
  return plan;
}

/** The goals whose words the form changed, and a new goal's words. */
export function readGoals(form: HTMLFormElement, goals: Map<string, fhir4.Goal>): { changed: fhir4.Goal[]; added?: string } {
  const changed: fhir4.Goal[] = [];
  for (const input of form.querySelectorAll<HTMLInputElement>('input[name="goal"]')) {
    const goal = goals.get(input.dataset['goal'] ?? '');
    const text = input.value.trim();
    if (goal && text && text !== goal.description.text) changed.push({ ...structuredClone(goal), description: { ...goal.description, text } });
  }
  const added = value(form, 'newGoal');
  return { changed, ...(added ? { added } : {}) };
}
