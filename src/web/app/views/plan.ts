/**
 * One plan in plain language: what matters to me, who does what (and what I
 * do myself), whom to call, the next follow-up, with whom it is shared, and
 * my agreement. The plan's text is shown as the care team wrote it.
 */
import { h, mount } from '../../shared/dom.ts';
import { formatDate } from '../../shared/format.ts';
import { t } from '../../shared/i18n.ts';
import { loadPlan, type PlanData } from '../../shared/plan-data.ts';
import { nextReview } from '../../shared/plan.ts';
import { periodText, planKindText, statusText } from '../../shared/words.ts';
import type { AppContext } from '../context.ts';
import { agreementSection } from './agreement.ts';
import { contactsSection, goalsSection, measuresSection, sharingSection } from './plan-sections.ts';
import { done, gone, loadingView, reloadAfter } from './states.ts';

/** What an action leaves on the page it reloads: its outcome, placed where the person acted (a CSS selector), else at the top. */
export interface Outcome {
  notice: HTMLElement;
  at?: string;
}

/** The plan's page again, e.g. after an action; a failure to load it becomes the page (reloadAfter). */
export type Reload = (outcome?: Outcome) => Promise<void>;

export async function planView(ctx: AppContext, id: string, outcome?: Outcome): Promise<void> {
  loadingView(ctx.main, t('loading.plan'));
  const data = await loadPlan(ctx.session, id);
  if (gone(ctx)) return;
  render(ctx, data, outcome);
}

function render(ctx: AppContext, data: PlanData, outcome?: Outcome): void {
  const { plan } = data;
  const notice = outcome && !outcome.at ? outcome.notice : undefined;
  if (outcome) outcome.notice.tabIndex = -1;
  const title = plan.title ?? planKindText(plan);
  document.title = `${title} – ${t('app.name')}`;
  const review = nextReview(plan);
  const reload: Reload = (o) => reloadAfter(ctx, () => planView(ctx, plan.id!, o), () => void reload(), ctx.signInAgain);
  done(ctx.main);
  mount(
    ctx.main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, t('nav.myPlans'))),
    h('h1', { tabindex: '-1' }, title),
    h('dl', { class: 'facts' },
      h('dt', {}, t('plan.kind')), h('dd', {}, planKindText(plan)),
      h('dt', {}, t('plan.status')), h('dd', {}, statusText(plan.status)),
      plan.period?.start || plan.period?.end ? [h('dt', {}, t('plan.period')), h('dd', {}, periodText(plan.period))] : null,
      h('dt', {}, t('plan.nextReview')), h('dd', { 'data-testid': 'next-review' }, review ? formatDate(review) : t('plan.noReview')),
    ),
    plan.description ? h('p', { class: 'description' }, plan.description) : null,
    notice ?? null,
    agreementSection(ctx, data, reload),
    goalsSection(data),
    measuresSection(ctx, data, reload),
    contactsSection(data),
    sharingSection(plan),
    h('nav', { class: 'plan-links', 'aria-label': t('plan.more') },
      h('ul', {},
        h('li', {}, h('a', { href: `#/plan/${plan.id}/read-by` }, t('readBy.link'))),
        h('li', {}, h('a', { href: `#/plan/${plan.id}/print` }, t('print.link'))),
      ),
    ),
  );
  // After an action its outcome takes focus, where the person acted: they hear what happened and stay where they were.
  if (outcome?.at) ctx.main.querySelector(outcome.at)?.append(outcome.notice);
  outcome?.notice.focus();
}
