/**
 * The health community's indicators (#/indicators; /team/indicators leads
 * here): every Measure samplan publishes, evaluated over the last 12 months
 * by the standard `$evaluate-measure`, each group as a chart with its table
 * beside it, filtered by organisation (`reporter`) and plan kind, and the
 * figures as CSV. The server decides who may evaluate (an administrative
 * role, or a system client) and masks small cells; this page only draws what
 * it is given, and says so in words when it is refused.
 */
import type uPlot from 'uplot';
import { call, FhirProblem, resourcesOf } from '../../shared/fhir.ts';
import { h, mount } from '../../shared/dom.ts';
import { formatDate, formatDateTime, todayIso } from '../../shared/format.ts';
import { currentLocale, t, type MessageKey } from '../../shared/i18n.ts';
import { done, gone, loadingView } from '../../shared/states.ts';
import { figuresCsv, figuresOf, organisationsOf, type GroupFigures } from '../indicator-figures.ts';
import type { TeamContext } from '../context.ts';
import { indicatorChart } from './indicator-chart.ts';
import { countText, figureText } from './indicator-words.ts';

interface Filters {
  organisation: string;
  kind: string;
}

const filters: Filters = { organisation: '', kind: '' };
/** The organisations seen in unfiltered reports: the filter keeps offering them while one is chosen. */
const organisations = new Map<string, string>();
/** The charts on the page, destroyed when it is redrawn (uPlot listens on the window until then). */
let charts: uPlot[] = [];

/** An evaluation reads a year of the plans' versions: at a region's size that takes minutes, not the 20 s a lookup may. */
const EVALUATE_TIMEOUT_MS = 10 * 60_000;

/** Plan states are snapshots (the period's figure is its end); follow-ups and agreements are events of the whole period. */
const AT_END = new Set(['active-plans', 'contact-and-coordinator', 'contact-person', 'agreement-current', 'own-measure']);

interface Indicator {
  measure: fhir4.Measure;
  report: fhir4.MeasureReport;
  groups: GroupFigures[];
}

/** This month and the eleven before it, up to today. */
function lastTwelveMonths(): { start: string; end: string } {
  const end = todayIso();
  const [y, m] = end.split('-').map(Number);
  const first = new Date(Date.UTC(y!, m! - 12, 1));
  return { start: first.toISOString().slice(0, 10), end };
}

/** A Measure's title or description in the chosen language (its translation extension), else the English. */
function localized(measure: fhir4.Measure, field: 'title' | 'description'): string {
  const element = field === 'title' ? measure._title : measure._description;
  const translation = (element?.extension ?? []).find((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/translation' && e.extension?.some((x) => x.url === 'lang' && x.valueCode === currentLocale()));
  return translation?.extension?.find((x) => x.url === 'content')?.valueString ?? measure[field] ?? measure.id ?? '';
}

async function evaluate(ctx: TeamContext, period: { start: string; end: string }): Promise<Indicator[]> {
  // The Measures are public conformance resources; evaluating one is what the access rules guard.
  const { body } = await call<fhir4.Bundle>(ctx.session, 'Measure?_count=100');
  const measures = resourcesOf<fhir4.Measure>(body, 'Measure').filter((m) => m.status === 'active');
  const params = new URLSearchParams({ periodStart: period.start, periodEnd: period.end });
  if (filters.organisation) params.set('reporter', filters.organisation);
  if (filters.kind) params.set('kind', filters.kind);
  // All at once: the server reads the period's versions once for requests that arrive together (src/measures).
  return Promise.all(
    measures.map(async (measure) => {
      const { body: report } = await call<fhir4.MeasureReport>(ctx.session, `Measure/${encodeURIComponent(measure.id ?? '')}/$evaluate-measure?${params.toString()}`, { timeoutMs: EVALUATE_TIMEOUT_MS });
      if (!filters.organisation) for (const [ref, name] of organisationsOf(report)) organisations.set(ref, name);
      return { measure, report, groups: figuresOf(report, measure) };
    }),
  );
}

function groupTable(g: GroupFigures, title: string): HTMLElement {
  const cols: MessageKey[] = g.kind === 'share' ? ['indicators.col.share', 'indicators.col.count', 'indicators.col.of'] : g.kind === 'days' ? ['indicators.col.days', 'indicators.col.plans'] : ['indicators.col.count'];
  const cells = (f: GroupFigures['total']): HTMLElement[] => [
    h('td', {}, figureText(g.kind, f)),
    ...(g.kind === 'share' ? [h('td', {}, countText(f, 'numerator')), h('td', {}, countText(f, 'count'))] : []),
    ...(g.kind === 'days' ? [h('td', {}, countText(f, 'count'))] : []),
  ];
  return h('table', { class: 'figures', 'data-testid': `table-${g.code}` },
    h('caption', {}, title),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('indicators.col.month')), cols.map((c) => h('th', { scope: 'col' }, t(c))))),
    h('tbody', {}, g.months.map((m) => h('tr', { 'data-month': m.value }, h('th', { scope: 'row' }, formatDate(m.value)), cells(m.figure)))),
    h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, t(AT_END.has(g.code) ? 'indicators.atEnd' : 'indicators.wholePeriod')), cells(g.total))),
  );
}

function groupBlock(g: GroupFigures, width: number): HTMLElement {
  const title = t(`indicators.group.${g.code}` as MessageKey);
  if (g.months.length === 0) {
    // A figure of now (overdue follow-ups): no months to chart.
    return h('div', { class: 'indicator-group', 'data-group': g.code },
      h('h3', {}, title),
      h('p', { class: 'figure-now' }, `${t('indicators.now')}: `, h('strong', { 'data-testid': `now-${g.code}` }, figureText(g.kind, g.total))),
    );
  }
  const { holder, chart } = indicatorChart(g, width);
  charts.push(chart);
  return h('div', { class: 'indicator-group', 'data-group': g.code },
    h('h3', {}, title),
    h('div', { class: 'indicator-body' }, holder, groupTable(g, title)),
  );
}

function indicatorSection(ind: Indicator, width: number): HTMLElement {
  const id = `indicator-${ind.measure.id}`;
  return h('section', { class: 'indicator', 'aria-labelledby': id, 'data-measure': ind.measure.id },
    h('h2', { id }, localized(ind.measure, 'title')),
    h('p', { class: 'muted' }, localized(ind.measure, 'description')),
    ind.groups.map((g) => groupBlock(g, width)),
  );
}

function filterForm(ctx: TeamContext): HTMLElement {
  const select = (id: keyof Filters, label: MessageKey, options: [string, string][]): HTMLElement =>
    h('div', { class: 'field' },
      h('label', { for: `indicator-${id}` }, t(label)),
      h('select', { id: `indicator-${id}`, onchange: (e: Event) => { filters[id] = (e.target as HTMLSelectElement).value; void indicatorsView(ctx, `indicator-${id}`); } },
        options.map(([value, text]) => h('option', { value, selected: filters[id] === value }, text))),
    );
  const orgs = [...organisations.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  return h('form', { class: 'filters', 'aria-label': t('team.filters'), onsubmit: (e: Event) => e.preventDefault() },
    select('organisation', 'team.filter.organisation', [['', t('team.filter.all')], ...orgs]),
    select('kind', 'team.filter.kind', [['', t('team.filter.all')], ...(['sip', 'patientkontrakt', 'individuell-plan'] as const).map((k): [string, string] => [k, t(`kind.${k}`)])]),
  );
}

function download(indicators: Indicator[], period: { start: string; end: string }): void {
  const csv = figuresCsv(indicators.map((i) => ({ measure: i.measure.id ?? '', period, groups: i.groups })));
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const scope = [filters.organisation.replace('Organization/', ''), filters.kind].filter(Boolean).join('-');
  const a = h('a', { href: url, download: `samplan-indicators-${period.start}-${period.end}${scope ? `-${scope}` : ''}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function refused(ctx: TeamContext): void {
  done(ctx.main);
  document.title = `${t('indicators.refused.title')} – ${t('team.name')}`;
  mount(ctx.main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, t('team.worklist'))),
    h('h1', { tabindex: '-1' }, t('indicators.refused.title')),
    h('p', { class: 'problem', role: 'alert', 'data-testid': 'indicators-refused' }, t('indicators.refused.text')),
  );
}

/** `refocus`: the filter that changed, which keeps focus when the page is redrawn. */
export async function indicatorsView(ctx: TeamContext, refocus?: string): Promise<void> {
  document.title = `${t('team.nav.indicators')} – ${t('team.name')}`;
  loadingView(ctx.main, t('indicators.loading'));
  const period = lastTwelveMonths();
  let indicators: Indicator[];
  try {
    indicators = await evaluate(ctx, period);
  } catch (err) {
    if (err instanceof FhirProblem && err.kind === 'refused') return refused(ctx);
    throw err;
  }
  if (gone(ctx)) return;
  done(ctx.main);
  for (const c of charts) c.destroy();
  charts = [];
  // Chart beside table on a wide screen (styles.css .indicator-body), above it on a phone.
  const available = ctx.main.clientWidth || 960;
  const width = Math.round(Math.max(260, Math.min(620, available >= 900 ? available * 0.55 : available - 8)));
  const computed = indicators[0]?.report.date;
  mount(
    ctx.main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, t('team.worklist'))),
    h('h1', { tabindex: '-1' }, t('indicators.title')),
    h('p', {}, t('indicators.intro')),
    h('p', { class: 'muted', 'data-testid': 'indicators-period' },
      t('indicators.period', { start: formatDate(period.start), end: formatDate(period.end) }), computed ? ` ${t('indicators.computed', { time: formatDateTime(computed) })}` : ''),
    filterForm(ctx),
    h('p', {}, h('button', { type: 'button', 'data-testid': 'download-csv', onclick: () => download(indicators, period) }, t('indicators.download'))),
    indicators.map((i) => indicatorSection(i, width)),
  );
  if (refocus) document.getElementById(refocus)?.focus();
}
