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
import { planKindText, statusText } from '../../shared/words.ts';
import type { AppContext } from '../context.ts';
import { agreementSection } from './agreement.ts';
import { contactsSection, goalsSection, measuresSection, sharingSection } from './plan-sections.ts';
import { done, loadingView } from './states.ts';

export async function planView(ctx: AppContext, id: string, notice?: HTMLElement): Promise<void> {
  loadingView(ctx.main, t('loading.plan'));
  const data = await loadPlan(ctx.session, id);
  render(ctx, data, notice);
}

function render(ctx: AppContext, data: PlanData, notice?: HTMLElement): void {
  const { plan } = data;
  if (notice) notice.tabIndex = -1;
  const title = plan.title ?? planKindText(plan);
  document.title = `${title} – ${t('app.name')}`;
  const review = nextReview(plan);
  const reload = (n?: HTMLElement): Promise<void> => planView(ctx, plan.id!, n);
  done(ctx.main);
  mount(
    ctx.main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, t('nav.myPlans'))),
    h('h1', { tabindex: '-1' }, title),
    h('dl', { class: 'facts' },
      h('dt', {}, t('plan.kind')), h('dd', {}, planKindText(plan)),
      h('dt', {}, t('plan.status')), h('dd', {}, statusText(plan.status)),
      plan.period?.start || plan.period?.end ? [h('dt', {}, t('plan.period')), h('dd', {}, `${formatDate(plan.period.start)} – ${formatDate(plan.period.end)}`)] : null,
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
  // After an action, its outcome takes focus: the person hears what happened and stays where they were.
  notice?.focus();
}
