/**
 * A new plan for a patient of one of my teams, from the template of its kind
 * (templates.ts). The patient and team come from the teams I am on; saving
 * creates the plan (POST) as a draft and opens it in the editor.
 */
import { normaliseReference, sameReference } from '../../../auth/references.ts';
import { call, resourcesOf } from '../../shared/fhir.ts';
import { h, mount } from '../../shared/dom.ts';
import { t } from '../../shared/i18n.ts';
import type { PlanKind } from '../../shared/plan.ts';
import { done, gone, loadingView } from '../../shared/states.ts';
import { nameOf } from '../../shared/words.ts';
import type { TeamContext } from '../context.ts';
import { showErrors } from './field-errors.ts';
import { planFromTemplate } from './templates.ts';

const KINDS: PlanKind[] = ['sip', 'patientkontrakt', 'individuell-plan'];

export async function newPlanView(ctx: TeamContext): Promise<void> {
  loadingView(ctx.main, t('team.loading.teams'));
  const [{ body }, directory] = await Promise.all([
    call<fhir4.Bundle>(ctx.session, `CareTeam?participant=${encodeURIComponent(ctx.me)}&status=active&_count=100`),
    call<fhir4.Bundle>(ctx.session, 'Organization?_count=100'),
  ]);
  if (gone(ctx)) return;
  const organisations = resourcesOf<fhir4.Organization>(directory.body, 'Organization');
  done(ctx.main);
  const teams = resourcesOf<fhir4.CareTeam>(body, 'CareTeam').filter((tm) => tm.subject?.reference?.includes('Patient/'));
  document.title = `${t('team.newPlan')} – ${t('team.name')}`;
  const team = h('select', { id: 'new-team', 'data-expression': 'CarePlan.subject' }, teams.map((tm) => h('option', { value: tm.id! }, `${nameOf(tm.subject)} — ${tm.name ?? ''}`)));
  const kind = h('fieldset', { 'data-expression': 'CarePlan.category' }, h('legend', {}, t('team.new.kind')),
    KINDS.map((k, i) => h('div', {}, h('input', { type: 'radio', name: 'kind', id: `kind-${k}`, value: k, checked: i === 0 }), ' ', h('label', { for: `kind-${k}`, class: 'inline-label' }, t(`kind.${k}`)))));
  const title = h('input', { id: 'new-title', type: 'text', 'data-expression': 'CarePlan.title' });
  const phone = h('input', { id: 'new-phone', type: 'tel', 'data-expression': `CarePlan.extension` });
  // A SIP is between at least two principals (spl-sip-2): the other one, from the directory.
  const partner = h('select', { id: 'new-partner', 'data-expression': 'CarePlan.contributor' }, h('option', { value: '' }, t('team.field.nobody')), organisations.map((o) => h('option', { value: `Organization/${o.id}` }, o.name ?? o.id ?? '')));
  const first = h('input', { id: 'new-first', type: 'text', value: t('team.new.firstMeasure'), 'data-expression': 'CarePlan.activity[0].detail.description' });
  const form = h('form', { class: 'plan-form', novalidate: true },
    h('div', { class: 'form-problems', 'data-expression': 'CarePlan' }),
    h('div', { class: 'field' }, h('label', { for: team.id }, t('team.new.patient')), team),
    kind,
    h('div', { class: 'field' }, h('label', { for: title.id }, t('team.field.title')), h('p', { class: 'hint', id: 'new-title-hint' }, t('team.new.titleHint')), title),
    h('div', { class: 'field' }, h('label', { for: phone.id }, t('team.new.phone')), h('p', { class: 'hint' }, t('team.new.phoneHint')), phone),
    h('div', { class: 'field' }, h('label', { for: partner.id }, t('team.new.partner')), h('p', { class: 'hint' }, t('team.new.partnerHint')), partner),
    h('div', { class: 'field' }, h('label', { for: first.id }, t('team.new.first')), first),
    h('button', { type: 'submit', class: 'primary' }, t('team.new.create')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const chosen = teams.find((tm) => tm.id === team.value);
    if (!chosen?.subject) return;
    const k = (form.querySelector<HTMLInputElement>('input[name="kind"]:checked')?.value ?? 'sip') as PlanKind;
    const mine = chosen.participant?.find((p) => sameReference(p.member?.reference, ctx.me));
    const orgs = [...new Map((chosen.participant ?? []).flatMap((p) => (p.onBehalfOf?.reference ? [[normaliseReference(p.onBehalfOf.reference)!, p.onBehalfOf] as const] : []))).values()];
    // My own organisation first: it authors the plan.
    orgs.sort((a, b) => Number(sameReference(b.reference, mine?.onBehalfOf?.reference)) - Number(sameReference(a.reference, mine?.onBehalfOf?.reference)));
    const other = organisations.find((o) => `Organization/${o.id}` === partner.value);
    if (other && !orgs.some((o) => sameReference(o.reference, partner.value))) orgs.splice(1, 0, { reference: partner.value, ...(other.name ? { display: other.name } : {}) });
    const plan = planFromTemplate({
      kind: k,
      title: title.value.trim() || `${t(`kind.${k}`)} – ${nameOf(chosen.subject)}`,
      patient: chosen.subject,
      team: { reference: `CareTeam/${chosen.id}`, type: 'CareTeam' },
      me: { reference: ctx.me, ...(mine?.member?.display ? { display: mine.member.display } : {}) },
      phone: phone.value.trim(),
      organisations: orgs.map((o) => ({ reference: normaliseReference(o.reference)!, type: 'Organization', ...(o.display ? { display: o.display } : {}) })),
      firstMeasure: first.value.trim() || t('team.new.firstMeasure'),
    });
    call<fhir4.CarePlan>(ctx.session, 'CarePlan', { method: 'POST', body: plan })
      .then(({ body: created }) => {
        location.hash = `#/plan/${created.id}`;
      })
      .catch((err: unknown) => showErrors(form, err).focus());
  });
  mount(ctx.main, h('p', { class: 'crumbs' }, h('a', { href: '#/' }, t('team.worklist'))), h('h1', { tabindex: '-1' }, t('team.newPlan')),
    teams.length === 0 ? h('p', { class: 'empty' }, t('team.new.noTeams')) : form);
}
