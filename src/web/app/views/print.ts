/**
 * The patient contract on paper: what a patient takes home. It holds the
 * version agreed to (the measures, who is responsible, when, the goals, the
 * contacts, the next follow-up) and the agreement itself; a plan never agreed
 * to prints as it is now, marked "not yet agreed". The browser's print makes
 * the paper and the PDF (the print style sheet drops the page's controls).
 */
import { h, mount } from '../../shared/dom.ts';
import { formatDate, formatDateTime } from '../../shared/format.ts';
import { t } from '../../shared/i18n.ts';
import { goalRefs, goalsAt, loadPlan, loadVersion, named, type PlanData } from '../../shared/plan-data.ts';
import { agreementOf, nextReview, versionOf } from '../../shared/plan.ts';
import { nameOf, periodText, planKindText } from '../../shared/words.ts';
import type { AppContext } from '../context.ts';
import { contactsSection, goalsSection, measuresSection, sharingSection } from './plan-sections.ts';
import { done, gone, loadingView } from './states.ts';

export async function printView(ctx: AppContext, id: string): Promise<void> {
  loadingView(ctx.main, t('loading.plan'));
  const current = await loadPlan(ctx.session, id);
  const agreement = agreementOf(current.plan);
  let shown: PlanData = current;
  // A current agreement covers the plan as it is; a stale one: print the version agreed to.
  if (agreement?.status === 'stale') {
    const agreed = await loadVersion(ctx.session, id, versionOf(agreement.agreedVersion) ?? '');
    shown = { ...current, plan: agreed, goals: await goalsAt(ctx.session, goalRefs(agreed), agreement.agreedAt) };
  }
  if (gone(ctx)) return;
  const { plan } = shown;
  const title = plan.title ?? planKindText(plan);
  document.title = `${t('print.title')}: ${title}`;
  const review = nextReview(plan);
  done(ctx.main);
  mount(
    ctx.main,
    h('div', { class: 'no-print print-tools' },
      h('a', { href: `#/plan/${id}` }, t('print.back')),
      h('button', { type: 'button', class: 'primary', onclick: () => window.print() }, t('print.button')),
      h('p', { class: 'hint' }, t('print.pdfHint')),
    ),
    h('article', { class: 'contract', 'data-testid': 'contract' },
      h('h1', { tabindex: '-1' }, title),
      h('dl', { class: 'facts' },
        h('dt', {}, t('plan.kind')), h('dd', {}, planKindText(plan)),
        h('dt', {}, t('print.patient')), h('dd', {}, nameOf(plan.subject)),
        plan.period ? [h('dt', {}, t('plan.period')), h('dd', {}, periodText(plan.period))] : null,
        h('dt', {}, t('plan.nextReview')), h('dd', {}, review ? formatDate(review) : t('plan.noReview')),
      ),
      h('section', { class: 'agreement-print', 'aria-labelledby': 'agreed-h' },
        h('h2', { id: 'agreed-h' }, t('agreement.title')),
        agreement
          ? h('p', {}, t('print.agreed', { who: nameOf(named(agreement.agreedBy, plan, shown.teams)), date: formatDateTime(agreement.agreedAt), version: versionOf(agreement.agreedVersion) ?? '' }))
          : h('p', {}, t('print.notAgreed')),
        agreement?.status === 'stale' ? h('p', { class: 'notice' }, t('print.changedSince')) : null,
      ),
      goalsSection(shown),
      measuresSection(ctx, shown),
      contactsSection(shown),
      sharingSection(plan),
      h('p', { class: 'muted' }, t('print.printed', { date: formatDateTime(new Date().toISOString()) })),
    ),
  );
}
