/**
 * Who has read my plan: the audit trail about this plan (AuditEvent, which
 * samplan writes for every access), newest first, in words — who, in which
 * role and organisation, did what, when. My own visits are left out. People
 * are named as in shared/people.ts; a connected system is called one.
 */
import { call, resourcesOf, shortRef } from '../../shared/fhir.ts';
import { h, mount } from '../../shared/dom.ts';
import { formatDateTime } from '../../shared/format.ts';
import { t, type MessageKey } from '../../shared/i18n.ts';
import { peopleNamed } from '../../shared/people.ts';
import { loadPlan } from '../../shared/plan-data.ts';
import { planKindText } from '../../shared/words.ts';
import type { AppContext } from '../context.ts';
import { done, gone, loadingView } from '../../shared/states.ts';

/** The RESTful interaction (AuditEvent.subtype, src/audit/audit-event.ts) in words. */
const ACTION: Record<string, MessageKey> = {
  read: 'readBy.action.read',
  vread: 'readBy.action.read',
  'search-type': 'readBy.action.read',
  'history-instance': 'readBy.action.history',
  create: 'readBy.action.create',
  update: 'readBy.action.update',
  patch: 'readBy.action.update',
  delete: 'readBy.action.delete',
  transaction: 'readBy.action.transaction',
  operation: 'readBy.action.operation',
};

function actionText(e: fhir4.AuditEvent): string {
  const code = e.subtype?.find((c) => c.system === 'http://hl7.org/fhir/restful-interaction')?.code ?? 'read';
  if (code === 'operation') {
    // samplan's operation subtype names which one: $agree records an agreement; others are said generally.
    const op = e.subtype?.find((c) => c.system === 'https://samplan.org/fhir/CodeSystem/operation')?.code;
    return t(op === '$agree' ? 'readBy.action.agree' : 'readBy.action.operation');
  }
  return t(ACTION[code] ?? 'readBy.action.read');
}

export async function readByView(ctx: AppContext, id: string): Promise<void> {
  loadingView(ctx.main, t('loading.readBy'));
  const data = await loadPlan(ctx.session, id);
  const title = t('readBy.title');
  document.title = `${title} – ${t('app.name')}`;
  if (gone(ctx)) return;
  const head = [h('p', { class: 'crumbs' }, h('a', { href: '#/' }, t('nav.myPlans')), ' › ', h('a', { href: `#/plan/${id}` }, data.plan.title ?? planKindText(data.plan))), h('h1', { tabindex: '-1' }, title)];
  if (ctx.kin) {
    done(ctx.main);
    return mount(ctx.main, ...head, h('p', {}, t('readBy.onlyPatient')));
  }
  const { body } = await call<fhir4.Bundle>(ctx.session, `AuditEvent?entity=${encodeURIComponent(`CarePlan/${id}`)}&outcome=0&_sort=-date&_count=100`);
  const events = resourcesOf<fhir4.AuditEvent>(body, 'AuditEvent').filter((e) => !e.agent.some((a) => a.who?.reference && shortRef(a.who.reference) === ctx.me));
  const readers = await peopleNamed(ctx.session, data.teams, events.flatMap((e) => e.agent.flatMap((a) => (a.who?.reference ? [a.who.reference] : []))));
  if (gone(ctx)) return;
  done(ctx.main);
  mount(
    ctx.main,
    ...head,
    h('p', {}, t('readBy.intro')),
    events.length === 0
      ? h('p', { class: 'empty' }, t('readBy.none'))
      : h('ol', { class: 'read-by', 'data-testid': 'read-by' },
          events.map((e) => {
            const agent = e.agent.find((a) => a.requestor) ?? e.agent[0];
            const reader = readers.get(agent?.who?.reference ?? '') ?? { name: t('readBy.system', { name: agent?.who?.display ?? agent?.altId ?? '' }), detail: '' };
            return h('li', {},
              h('p', {}, h('strong', {}, reader.name), reader.detail ? `, ${reader.detail}` : '', ' — ', actionText(e)),
              h('p', { class: 'muted' }, h('time', { datetime: e.recorded }, formatDateTime(e.recorded))),
            );
          }),
        ),
  );
}
