/**
 * The plan editor: goals, measures (what, who is responsible, when and how
 * often, status), contact person and coordinator, follow-up date, period and
 * the status changes the lifecycle allows. Saves carry If-Match; a save that
 * someone else beat (412) shows what they changed next to what I changed,
 * keeps my input, and re-applies it onto their version in one action
 * (merge-on-conflict.ts). Validation messages appear next to their fields.
 */
import { call, FhirProblem } from '../../shared/fhir.ts';
import { h, mount } from '../../shared/dom.ts';
import { t } from '../../shared/i18n.ts';
import { loadPlan, type PlanData } from '../../shared/plan-data.ts';
import { actionMessage, done, gone, loadingView } from '../../shared/states.ts';
import { planKindText, statusText } from '../../shared/words.ts';
import type { TeamContext } from '../context.ts';
import { clearErrors, showErrors } from './field-errors.ts';
import { partiesOf, planForm, readForm, readGoals, type Parties } from './editor-form.ts';
import { comparePanel } from './merge-on-conflict.ts';
import { planNav } from './plan-nav.ts';

export async function editorView(ctx: TeamContext, id: string, notice?: HTMLElement): Promise<void> {
  loadingView(ctx.main, t('loading.plan'));
  const data = await loadPlan(ctx.session, id);
  if (gone(ctx)) return;
  done(ctx.main);
  render(ctx, data, notice);
}

/** Writes the goals the form changed or added (each with its own If-Match), then the plan. */
async function saveAll(ctx: TeamContext, data: PlanData, plan: fhir4.CarePlan, form: HTMLFormElement, ifMatch: string): Promise<void> {
  const goals = readGoals(form, data.goals);
  for (const g of goals.changed) await call(ctx.session, `Goal/${g.id}`, { method: 'PUT', body: g, ifMatch: `W/"${g.meta?.versionId ?? ''}"` });
  if (goals.added) {
    const goal: fhir4.Goal = { resourceType: 'Goal', lifecycleStatus: 'active', description: { text: goals.added }, subject: plan.subject };
    const created = await call<fhir4.Goal>(ctx.session, 'Goal', { method: 'POST', body: goal });
    plan.goal = [...(plan.goal ?? []), { reference: `Goal/${created.body.id}`, type: 'Goal' }];
  }
  await call(ctx.session, `CarePlan/${plan.id}`, { method: 'PUT', body: plan, ifMatch });
}

function render(ctx: TeamContext, data: PlanData, notice?: HTMLElement): void {
  const { plan } = data;
  const parties: Parties = partiesOf(plan, data.teams);
  const title = plan.title ?? planKindText(plan);
  document.title = `${title} – ${t('team.name')}`;
  const form = planForm(plan, data.goals, parties);
  const compare = h('div', { class: 'compare-slot' });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    button.disabled = true;
    clearErrors(form);
    mount(compare);
    const mine = readForm(form, plan, parties);
    saveAll(ctx, data, mine, form, data.etag)
      .then(() => editorView(ctx, plan.id!, actionMessage('ok', t('team.saved'))))
      .catch(async (err: unknown) => {
        button.disabled = false;
        if (err instanceof FhirProblem && err.status === 412) {
          // Someone saved first: my input stays in the form; the comparison offers to put it on their version.
          const latest = await loadPlan(ctx.session, plan.id!);
          mount(compare, comparePanel(ctx, { base: plan, mine, latest }, (n) => editorView(ctx, plan.id!, n)));
          compare.querySelector<HTMLElement>('h2')?.focus();
          return;
        }
        showErrors(form, err).focus();
      });
  });
  if (notice) notice.tabIndex = -1;
  mount(
    ctx.main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, t('team.worklist'))),
    h('h1', { tabindex: '-1' }, title),
    h('p', { class: 'muted' }, `${planKindText(plan)} · ${statusText(plan.status)} · ${plan.subject.display ?? plan.subject.reference ?? ''} · ${t('team.version', { v: plan.meta?.versionId ?? '' })}`),
    planNav(plan.id!, 'edit'),
    notice ?? null,
    compare,
    form,
  );
  notice?.focus();
}
