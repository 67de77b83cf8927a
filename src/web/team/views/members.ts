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

/**
 * Whom one can add: the people with a role at an organisation already on the
 * team, grouped by organisation (a region's whole directory would be tens of
 * thousands). One search per organisation, served by the role's organisation key.
 */
interface Colleagues {
  org: fhir4.Reference;
  people: fhir4.Practitioner[];
}

async function colleaguesOf(ctx: TeamContext, orgs: Map<string, fhir4.Reference>): Promise<Colleagues[]> {
  return Promise.all(
    [...orgs].map(async ([ref, org]) => {
      const { body } = await call<fhir4.Bundle>(ctx.session, `PractitionerRole?organization=${encodeURIComponent(ref)}&_include=PractitionerRole:practitioner&_count=500`);
      const people = resourcesOf<fhir4.Practitioner>(body, 'Practitioner').sort((a, b) => personName(a.name).localeCompare(personName(b.name)));
      return { org, people };
    }),
  );
}

const idsOf = (refs: Iterable<string>, type: string): string[] => [...refs].filter((r) => r.startsWith(`${type}/`)).map((r) => r.slice(type.length + 1));

/**
 * The organisations on a team: those members act for (onBehalfOf), member
 * organisations, and the organisations of member roles (a PractitionerRole
 * names its own). Named from the directory in one search.
 */
async function teamOrganisations(ctx: TeamContext, team: fhir4.CareTeam): Promise<Map<string, fhir4.Reference>> {
  const participants = team.participant ?? [];
  const members = participants.flatMap((p) => (p.member?.reference ? [normaliseReference(p.member.reference)!] : []));
  const refs = new Set([...participants.flatMap((p) => (p.onBehalfOf?.reference ? [normaliseReference(p.onBehalfOf.reference)!] : [])), ...members.filter((m) => m.startsWith('Organization/'))]);
  const roleIds = idsOf(members, 'PractitionerRole');
  if (roleIds.length > 0) {
    const { body } = await call<fhir4.Bundle>(ctx.session, `PractitionerRole?_id=${roleIds.map(encodeURIComponent).join(',')}&_count=${roleIds.length}`);
    for (const role of resourcesOf<fhir4.PractitionerRole>(body, 'PractitionerRole')) if (role.organization?.reference) refs.add(normaliseReference(role.organization.reference)!);
  }
  const orgIds = idsOf(refs, 'Organization');
  if (orgIds.length === 0) return new Map();
  const { body } = await call<fhir4.Bundle>(ctx.session, `Organization?_id=${orgIds.map(encodeURIComponent).join(',')}&_count=${orgIds.length}`);
  const names = new Map(resourcesOf<fhir4.Organization>(body, 'Organization').map((o) => [`Organization/${o.id}`, o.name] as const));
  return new Map([...refs].map((ref) => [ref, { reference: ref, type: 'Organization', ...(names.get(ref) ? { display: names.get(ref)! } : {}) }] as const));
}

function addForm(ctx: TeamContext, team: fhir4.CareTeam, orgs: Map<string, fhir4.Reference>, colleagues: Colleagues[], planId: string, message: HTMLElement): HTMLElement {
  const who = h('select', { id: `add-who-${team.id}` },
    colleagues.map((c) => h('optgroup', { label: nameOf(c.org) }, c.people.map((p) => h('option', { value: `Practitioner/${p.id}`, 'data-org': normaliseReference(c.org.reference) }, personName(p.name))))));
  const people = colleagues.flatMap((c) => c.people);
  const role = h('select', { id: `add-role-${team.id}` }, ROLES.map((r) => h('option', { value: r }, t(`team.role.${r}` as MessageKey))));
  const org = h('select', { id: `add-org-${team.id}` }, [...orgs].map(([ref, o]) => h('option', { value: ref }, nameOf(o))));
  const form = h('form', { class: 'inline add-member', 'aria-label': t('team.members.add') },
    h('div', { class: 'field' }, h('label', { for: who.id }, t('team.members.who')), who),
    h('div', { class: 'field' }, h('label', { for: role.id }, t('team.members.role')), role),
    h('div', { class: 'field' }, h('label', { for: org.id }, t('team.members.organisation')), org),
    h('button', { type: 'submit' }, t('team.members.add')),
  );
  // A colleague acts for the organisation they were found under, unless one chooses otherwise.
  const followWho = (): void => {
    const found = who.selectedOptions[0]?.dataset.org;
    if (found) org.value = found;
  };
  who.addEventListener('change', followWho);
  followWho();
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
  const data = await loadPlan(ctx.session, id);
  const orgs = await Promise.all(data.teams.map((team) => teamOrganisations(ctx, team)));
  const colleagues = await Promise.all(orgs.map((o) => colleaguesOf(ctx, o)));
  if (gone(ctx)) return;
  done(ctx.main);
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
    data.teams.map((team, n) => h('section', { 'aria-labelledby': `team-${team.id}` },
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
      addForm(ctx, team, orgs[n]!, colleagues[n]!, id, message),
    )),
  );
  notice?.focus();
}
