/** The parts of a plan page: goals, measures by who is responsible, contacts, sharing. */
import { h } from '../../shared/dom.ts';
import { formatDate } from '../../shared/format.ts';
import { t } from '../../shared/i18n.ts';
import { roleText, teamRoleOf, type PlanData } from '../../shared/plan-data.ts';
import { consentOf, contactPerson, coordinator, isOwnMeasure, measureGroups } from '../../shared/plan.ts';
import { activityStatusText, nameOf, timingText } from '../../shared/words.ts';
import { normaliseReference } from '../../../auth/references.ts';
import type { Reload } from './plan.ts';
import type { AppContext } from '../context.ts';
import { ownProgressForm } from './own-progress.ts';

export function goalsSection(data: PlanData): HTMLElement {
  const goals = (data.plan.goal ?? []).map((g) => data.goals.get(normaliseReference(g.reference) ?? '')).filter((g): g is fhir4.Goal => !!g);
  return h('section', { 'aria-labelledby': 'goals-h' },
    h('h2', { id: 'goals-h' }, t('goals.title')),
    goals.length === 0
      ? h('p', {}, t('goals.none'))
      : h('ul', { class: 'goals' },
          goals.map((g) => h('li', {},
            h('span', { class: 'goal-text' }, g.description.text ?? g.description.coding?.[0]?.display ?? ''),
            g.target?.[0]?.dueDate ? h('span', { class: 'muted' }, ` — ${t('goals.due', { date: formatDate(g.target[0].dueDate) })}`) : null,
          )),
        ),
  );
}

/** `reload` absent: the printed contract, without the progress forms. */
export function measuresSection(ctx: AppContext, data: PlanData, reload?: Reload): HTMLElement {
  const { plan } = data;
  const groups = measureGroups(plan, ctx.patient);
  return h('section', { 'aria-labelledby': 'measures-h' },
    h('h2', { id: 'measures-h' }, t('measures.title')),
    groups.length === 0 ? h('p', {}, t('measures.none')) : null,
    groups.map((g, gi) => {
      const heading = g.responsible.self ? t(ctx.kin ? 'measures.selfKin' : 'measures.self') : nameOf(g.responsible.who);
      return h('section', { class: 'group', 'aria-labelledby': `group-${gi}` },
        h('h3', { id: `group-${gi}` }, heading),
        h('ul', { class: 'measures' },
          g.measures.map((i) => {
            const a = plan.activity![i]!;
            const d = a.detail;
            const performer = d?.performer?.[0];
            const own = reload && !ctx.kin && isOwnMeasure(a, ctx.me);
            return h('li', { class: 'measure', 'data-measure': String(i) },
              h('p', { class: 'measure-text', id: `measure-${i}` }, d?.description ?? d?.code?.text ?? ''),
              h('dl', { class: 'facts small' },
                timingText(d) ? [h('dt', {}, t('measures.when')), h('dd', {}, timingText(d))] : null,
                !g.responsible.self && performer && nameOf(performer) !== heading ? [h('dt', {}, t('measures.who')), h('dd', {}, nameOf(performer))] : null,
                h('dt', {}, t('measures.status')), h('dd', { 'data-testid': 'measure-status' }, activityStatusText(d?.status)),
              ),
              reload && (a.progress ?? []).length > 0
                ? h('ul', { class: 'progress-notes', 'aria-label': t('progress.notes') }, a.progress!.map((n) => h('li', {}, n.time ? h('span', { class: 'muted' }, `${formatDate(n.time)}: `) : null, n.text)))
                : null,
              own ? ownProgressForm(ctx, data, i, reload) : null,
            );
          }),
        ),
      );
    }),
  );
}

function telecomList(points: fhir4.ContactPoint[]): HTMLElement | null {
  if (points.length === 0) return null;
  return h('ul', { class: 'telecom' },
    points.map((p) => {
      const value = p.value ?? '';
      const href = p.system === 'phone' ? `tel:${value.replace(/[^+\d]/g, '')}` : p.system === 'email' ? `mailto:${value}` : undefined;
      const label = p.system === 'phone' ? t('contact.phone') : p.system === 'email' ? t('contact.email') : p.system ?? '';
      return h('li', {}, `${label}: `, href ? h('a', { href }, value) : value);
    }),
  );
}

export function contactsSection(data: PlanData): HTMLElement {
  const { plan, teams } = data;
  const contact = contactPerson(plan);
  const coord = coordinator(plan);
  const who = (ref: fhir4.Reference, role: string): HTMLElement[] => {
    const inTeam = teamRoleOf(teams, ref.reference);
    return [
      h('h3', {}, role),
      h('p', { class: 'contact-name' }, nameOf(ref)),
      inTeam ? h('p', { class: 'muted' }, roleText(inTeam)) : h('span'),
    ];
  };
  return h('section', { 'aria-labelledby': 'contacts-h', class: 'contacts' },
    h('h2', { id: 'contacts-h' }, t('contact.title')),
    contact
      ? h('div', { class: 'contact' }, who(contact.party, t('contact.person')), telecomList(contact.telecom), contact.availability ? h('p', {}, `${t('contact.hours')}: ${contact.availability}`) : null)
      : h('p', {}, t('contact.none')),
    coord ? h('div', { class: 'contact' }, who(coord, t('contact.coordinator'))) : null,
  );
}

export function sharingSection(plan: fhir4.CarePlan): HTMLElement {
  const consent = consentOf(plan);
  return h('section', { 'aria-labelledby': 'sharing-h' },
    h('h2', { id: 'sharing-h' }, t('sharing.title')),
    !consent
      ? h('p', {}, t('sharing.none'))
      : [
          consent.sharedWith.length ? [h('p', {}, t('sharing.with')), h('ul', {}, consent.sharedWith.map((o) => h('li', {}, nameOf(o))))] : null,
          consent.restriction ? h('p', { class: 'restriction' }, h('strong', {}, `${t('sharing.restriction')}: `), consent.restriction) : null,
          consent.date ? h('p', { class: 'muted' }, t('sharing.date', { date: formatDate(consent.date) })) : null,
        ],
  );
}
