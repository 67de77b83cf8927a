/** My plans: each plan about me (or the person I act for), its kind, status, coordinator and whether I have agreed. */
import { call, resourcesOf } from '../../shared/fhir.ts';
import { h, mount } from '../../shared/dom.ts';
import { formatDate } from '../../shared/format.ts';
import { t } from '../../shared/i18n.ts';
import { agreementOf, coordinator, nextReview } from '../../shared/plan.ts';
import { nameOf, planKindText, statusText } from '../../shared/words.ts';
import type { AppContext } from '../context.ts';
import { agreementBadge } from './agreement-badge.ts';
import { done, gone, loadingView } from './states.ts';

export async function plansView(ctx: AppContext): Promise<void> {
  document.title = `${t('plans.title')} – ${t('app.name')}`;
  loadingView(ctx.main, t('loading.plans'));
  const query = ctx.patient ? `CarePlan?patient=${encodeURIComponent(ctx.patient)}&_count=50` : 'CarePlan?_count=50';
  const { body } = await call<fhir4.Bundle>(ctx.session, query);
  const plans = resourcesOf<fhir4.CarePlan>(body, 'CarePlan').filter((p) => p.status !== 'entered-in-error');
  if (gone(ctx)) return;
  done(ctx.main);
  if (plans.length === 0) {
    return mount(ctx.main, h('h1', { tabindex: '-1' }, t('plans.title')), h('div', { class: 'empty' }, h('p', {}, t(ctx.kin ? 'plans.emptyKin' : 'plans.empty')), h('p', {}, t('plans.whomToAsk'))));
  }
  mount(
    ctx.main,
    h('h1', { tabindex: '-1' }, ctx.kin ? t('plans.titleKin', { name: ctx.patientName ?? '' }) : t('plans.title')),
    h('ul', { class: 'cards' },
      plans.map((p) => {
        const coord = coordinator(p);
        const review = nextReview(p);
        return h('li', { class: 'card' },
          h('h2', {}, h('a', { href: `#/plan/${p.id}` }, p.title ?? planKindText(p))),
          h('dl', { class: 'facts' },
            h('dt', {}, t('plan.kind')), h('dd', {}, planKindText(p)),
            h('dt', {}, t('plan.status')), h('dd', {}, statusText(p.status)),
            coord ? [h('dt', {}, t('plan.coordinator')), h('dd', {}, nameOf(coord))] : null,
            review ? [h('dt', {}, t('plan.nextReview')), h('dd', {}, formatDate(review))] : null,
          ),
          agreementBadge(agreementOf(p), ctx.kin),
        );
      }),
    ),
  );
}
