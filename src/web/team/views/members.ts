/**
 * The care team: participants with their roles (coordinator, contact person,
 * member…), organisation and period; add someone, or end a participation
 * (the period ends today). The access rules decide who may (only the team's
 * coordinator changes others' entries: src/auth/team-writes.ts); a refusal is
 * said in words.
 */
import { normaliseReference } from '../../../auth/references.ts';
import { CODE_SYSTEM } from '../../../validation/canonical.ts';
import { call, resourcesOf } from '../../shared/fhir.ts';
import { h, mount } from '../../shared/dom.ts';
import { formatDate, todayIso } from '../../shared/format.ts';
import { t, type MessageKey } from '../../shared/i18n.ts';
import { loadPlan } from '../../shared/plan-data.ts';
import { actionMessage, done, gone, loadingView } from '../../shared/states.ts';
import { nameOf, personName, periodText, problemContent } from '../../shared/words.ts';
import type { TeamContext } from '../context.ts';
import { planNav } from './plan-nav.ts';

const ROLES = ['coordinator', 'contact-person', 'member'] as const;

const roleWords = (p: fhir4.CareTeamParticipant): string => (p.role ?? []).map((r) => r.text ?? r.coding?.[0]?.display ?? '').filter(Boolean).join(', ');

async function save(ctx: TeamContext, team: fhir4.CareTeam, message: HTMLElement, id: string, done: string): Promise<void> {
  try {
    await call(ctx.session, `CareTeam/${team.id}`, { method: 'PUT', body: team, ifMatch: `W/"${team.meta?.versionId ?? ''}"` });
    await membersView(ctx, id, actionMessage('ok', done));
  } catch (err) {
    mount(message, actionMessage('problem', ...problemContent(err)));
    message.querySelector<HTMLElement>('p')?.focus();
  }
}

function addForm(ctx: TeamContext, team: fhir4.CareTeam, people: fhir4.Practitioner[], planId: string, message: HTMLElement): HTMLElement {
  const who = h('select', { id: `add-who-${team.id}` }, people.map((p) => h('option', { value: `Practitioner/${p.id}` }, personName(p.name))));
  const role = h('select', { id: `add-role-${team.id}` }, ROLES.map((r) => h('option', { value: r }, t(`team.role.${r}` as MessageKey))));
  const orgs = new Map((team.participant ?? []).flatMap((p) => (p.onBehalfOf?.reference ? [[normaliseReference(p.onBehalfOf.reference)!, p.onBehalfOf] as const] : [])));
  const org = h('select', { id: `add-org-${team.id}` }, [...orgs].map(([ref, o]) => h('option', { value: ref }, nameOf(o))));
  const form = h('form', { class: 'inline add-member', 'aria-label': t('team.members.add') },
    h('div', { class: 'field' }, h('label', { for: who.id }, t('team.members.who')), who),
    h('div', { class: 'field' }, h('label', { for: role.id }, t('team.members.role')), role),
    h('div', { class: 'field' }, h('label', { for: org.id }, t('team.members.organisation')), org),
    h('button', { type: 'submit' }, t('team.members.add')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const person = people.find((p) => `Practitioner/${p.id}` === who.value);
    const code = role.value as (typeof ROLES)[number];
    const next = structuredClone(team);
    next.participant = [...(next.participant ?? []), {
      member: { reference: who.value, type: 'Practitioner', ...(person ? { display: personName(person.name) } : {}) },
      role: [{ coding: [{ system: CODE_SYSTEM.careTeamRole, code, display: t(`team.role.${code}` as MessageKey) }], text: t(`team.role.${code}` as MessageKey) }],
      ...(org.value ? { onBehalfOf: { reference: org.value, type: 'Organization', ...(orgs.get(org.value)?.display ? { display: orgs.get(org.value)!.display! } : {}) } } : {}),
      period: { start: todayIso() },
    }];
    void save(ctx, next, message, planId, t('team.members.added'));
  });
  return form;
}

export async function membersView(ctx: TeamContext, id: string, notice?: HTMLElement): Promise<void> {
  loadingView(ctx.main, t('loading.plan'));
  const [data, directory] = await Promise.all([loadPlan(ctx.session, id), call<fhir4.Bundle>(ctx.session, 'Practitioner?_count=100')]);
  if (gone(ctx)) return;
  done(ctx.main);
  const people = resourcesOf<fhir4.Practitioner>(directory.body, 'Practitioner');
  const message = h('div', { class: 'form-message' });
  document.title = `${t('team.nav.team')} – ${t('team.name')}`;
  if (notice) notice.tabIndex = -1;
  mount(
    ctx.main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, t('team.worklist'))),
    h('h1', { tabindex: '-1' }, t('team.members.title', { plan: data.plan.title ?? '' })),
    planNav(id, 'team'),
    notice ?? null,
    message,
    data.teams.map((team) => h('section', { 'aria-labelledby': `team-${team.id}` },
      h('h2', { id: `team-${team.id}` }, team.name ?? t('team.members.unnamed')),
      h('table', { class: 'worklist', 'data-testid': 'members' },
        h('thead', {}, h('tr', {}, ['team.members.who', 'team.members.role', 'team.members.organisation', 'team.members.period', 'team.members.actions'].map((k) => h('th', { scope: 'col' }, t(k as MessageKey))))),
        h('tbody', {}, (team.participant ?? []).map((p, i) => {
          const ended = !!p.period?.end && p.period.end < todayIso();
          return h('tr', {},
            h('th', { scope: 'row' }, nameOf(p.member)),
            h('td', {}, roleWords(p)),
            h('td', {}, p.onBehalfOf ? nameOf(p.onBehalfOf) : ''),
            h('td', {}, periodText(p.period) || t('team.members.open')),
            h('td', {}, ended ? t('team.members.ended', { date: formatDate(p.period!.end) }) : h('button', { type: 'button', class: 'link', 'aria-label': t('team.members.endFor', { name: nameOf(p.member) }), onclick: () => {
              const next = structuredClone(team);
              next.participant![i]!.period = { ...(p.period ?? {}), end: todayIso() };
              void save(ctx, next, message, id, t('team.members.endedNow', { name: nameOf(p.member) }));
            } }, t('team.members.end'))),
          );
        })),
      ),
      addForm(ctx, team, people, id, message),
    )),
  );
  notice?.focus();
}
