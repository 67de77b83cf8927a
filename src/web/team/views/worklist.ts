/**
 * The worklist: the plans of the teams I am on (or my organisation is on),
 * what needs action first. Each group is one search that the store answers
 * by its indexes (review-due, agreement-status, sync-conflict, status), with
 * its count (`_summary=count`) and a page of 20 at a time; the access rules
 * narrow every search to my plans. Filters by kind, status and organisation
 * (a measure's performer) are search parameters too.
 */
import { call, resourcesOf } from '../../shared/fhir.ts';
import { h, mount } from '../../shared/dom.ts';
import { formatDate, todayIso } from '../../shared/format.ts';
import { t, type MessageKey } from '../../shared/i18n.ts';
import { agreementOf, nextReview } from '../../shared/plan.ts';
import { done, gone, loadingView } from '../../shared/states.ts';
import { nameOf, planKindText, statusText } from '../../shared/words.ts';
import { CODE_SYSTEM } from '../../../validation/canonical.ts';
import type { TeamContext } from '../context.ts';

const OPEN = 'draft,active,on-hold';
const PAGE = 20;

interface Group {
  key: 'overdue' | 'due' | 'stale' | 'conflicts' | 'drafts';
  query: string;
}

function groups(): Group[] {
  const today = todayIso();
  return [
    { key: 'overdue', query: `review-due=lt${today}&status=${OPEN}&_sort=review-due` },
    { key: 'due', query: `review-due=ge${today}&review-due=le${todayIso(14)}&status=${OPEN}&_sort=review-due` },
    { key: 'stale', query: `agreement-status=stale&status=${OPEN}` },
    { key: 'conflicts', query: 'sync-conflict=true' },
    { key: 'drafts', query: 'status=draft&agreement-status=none' },
  ];
}

interface Filters {
  kind: string;
  status: string;
  organisation: string;
}

const filters: Filters = { kind: '', status: '', organisation: '' };

function withFilters(query: string): string {
  const params = new URLSearchParams(query);
  if (filters.kind) params.append('category', `${CODE_SYSTEM.planKind}|${filters.kind}`);
  if (filters.status) params.set('status', filters.status);
  if (filters.organisation) params.append('performer', filters.organisation);
  return params.toString();
}

/** The organisations of the teams I am on: the choices of the organisation filter. */
async function myOrganisations(ctx: TeamContext): Promise<fhir4.Reference[]> {
  const { body } = await call<fhir4.Bundle>(ctx.session, `CareTeam?participant=${encodeURIComponent(ctx.me)}&_count=100`);
  const seen = new Map<string, fhir4.Reference>();
  for (const team of resourcesOf<fhir4.CareTeam>(body, 'CareTeam')) {
    for (const p of team.participant ?? []) if (p.onBehalfOf?.reference) seen.set(p.onBehalfOf.reference, p.onBehalfOf);
  }
  return [...seen.values()].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
}

function row(plan: fhir4.CarePlan): HTMLElement {
  const a = agreementOf(plan);
  const review = nextReview(plan);
  return h('tr', {},
    h('th', { scope: 'row' }, h('a', { href: `#/plan/${plan.id}` }, plan.title ?? planKindText(plan))),
    h('td', {}, nameOf(plan.subject)),
    h('td', {}, planKindText(plan)),
    h('td', {}, statusText(plan.status)),
    h('td', {}, review ? h('time', { datetime: review }, formatDate(review)) : '–'),
    h('td', {}, t(a ? (`team.agreement.${a.status}` as MessageKey) : 'team.agreement.none')),
  );
}

async function groupSection(ctx: TeamContext, g: Group): Promise<HTMLElement> {
  const query = withFilters(g.query);
  const [count, page] = await Promise.all([
    call<fhir4.Bundle>(ctx.session, `CarePlan?${query}&_summary=count`),
    call<fhir4.Bundle>(ctx.session, `CarePlan?${query}&_count=${PAGE}`),
  ]);
  const total = count.body.total ?? 0;
  const tbody = h('tbody', {}, resourcesOf<fhir4.CarePlan>(page.body, 'CarePlan').map(row));
  const more = h('div', { class: 'more' });
  const showMore = (bundle: fhir4.Bundle): void => {
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    mount(more, next ? h('button', { type: 'button', onclick: async () => {
      const { body } = await call<fhir4.Bundle>(ctx.session, next);
      tbody.append(...resourcesOf<fhir4.CarePlan>(body, 'CarePlan').map(row));
      showMore(body);
    } }, t('team.more')) : null);
  };
  showMore(page.body);
  const id = `group-${g.key}`;
  return h('section', { class: 'work-group', 'aria-labelledby': id, 'data-group': g.key },
    h('h2', { id }, t(`team.group.${g.key}` as MessageKey), ' ', h('span', { class: 'count', 'data-testid': `count-${g.key}` }, `(${total})`)),
    total === 0
      ? h('p', { class: 'muted' }, t('team.group.empty'))
      : h('table', { class: 'worklist' },
          h('caption', { class: 'visually-hidden' }, t(`team.group.${g.key}` as MessageKey)),
          h('thead', {}, h('tr', {}, ['team.col.plan', 'team.col.patient', 'team.col.kind', 'team.col.status', 'team.col.review', 'team.col.agreement'].map((k) => h('th', { scope: 'col' }, t(k as MessageKey))))),
          tbody,
        ),
    more,
  );
}

function filterForm(ctx: TeamContext, organisations: fhir4.Reference[]): HTMLElement {
  const select = (id: keyof Filters, label: MessageKey, options: [string, string][]): HTMLElement =>
    h('div', { class: 'field' },
      h('label', { for: `filter-${id}` }, t(label)),
      h('select', { id: `filter-${id}`, onchange: (e: Event) => { filters[id] = (e.target as HTMLSelectElement).value; void worklistView(ctx, `filter-${id}`); } },
        options.map(([value, text]) => h('option', { value, selected: filters[id] === value }, text))),
    );
  return h('form', { class: 'filters', 'aria-label': t('team.filters'), onsubmit: (e: Event) => e.preventDefault() },
    select('kind', 'team.filter.kind', [['', t('team.filter.all')], ...(['sip', 'patientkontrakt', 'individuell-plan'] as const).map((k): [string, string] => [k, t(`kind.${k}`)])]),
    select('status', 'team.filter.status', [['', t('team.filter.open')], ...(['draft', 'active', 'on-hold'] as const).map((s): [string, string] => [s, statusText(s)])]),
    select('organisation', 'team.filter.organisation', [['', t('team.filter.all')], ...organisations.map((o): [string, string] => [o.reference!, nameOf(o)])]),
  );
}

/** `refocus`: the filter that changed, which keeps focus when the list is redrawn. */
export async function worklistView(ctx: TeamContext, refocus?: string): Promise<void> {
  document.title = `${t('team.worklist')} – ${t('team.name')}`;
  loadingView(ctx.main, t('team.loading.worklist'));
  const [organisations, ...sections] = await Promise.all([myOrganisations(ctx), ...groups().map((g) => groupSection(ctx, g))]);
  if (gone(ctx)) return;
  done(ctx.main);
  mount(
    ctx.main,
    h('div', { class: 'title-row' }, h('h1', { tabindex: '-1' }, t('team.worklist')), h('span', { class: 'title-actions' }, h('a', { href: '#/indicators' }, t('team.nav.indicators')), h('a', { href: '#/new', class: 'button-link' }, t('team.newPlan')))),
    filterForm(ctx, organisations),
    sections,
  );
  if (refocus) document.getElementById(refocus)?.focus();
}
