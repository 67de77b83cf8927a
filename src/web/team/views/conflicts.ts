/**
 * Sync conflicts on a plan: where this instance and another changed the same
 * element, the value kept and the value not kept, side by side with both
 * authors and when. Choosing one (or writing a third) writes it at that
 * element and drops the conflict's record from the plan — the ordinary
 * update the README's "Sync" section describes, with If-Match.
 */
import { conflictsOn, type ConflictRecord } from '../../../sync/conflicts.ts';
import { EXTENSION } from '../../../validation/canonical.ts';
import { call } from '../../shared/fhir.ts';
import { h, mount } from '../../shared/dom.ts';
import { formatDateTime } from '../../shared/format.ts';
import { t } from '../../shared/i18n.ts';
import { loadPlan, type PlanData } from '../../shared/plan-data.ts';
import { actionMessage, done, gone, loadingView } from '../../shared/states.ts';
import { problemContent } from '../../shared/words.ts';
import type { TeamContext } from '../context.ts';
import { planNav } from './plan-nav.ts';

/** RFC 6901 JSON Pointer: sets (or, for undefined, removes) the value at `pointer` in `doc`. */
export function setAtPointer(doc: unknown, pointer: string, value: unknown): void {
  const keys = pointer.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node = doc as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = keys.at(-1)!;
  if (Array.isArray(node) && value === undefined) node.splice(Number(last), 1);
  else if (value === undefined) delete node[last];
  else node[last] = value;
}

const shown = (json: string | undefined): string => {
  if (json === undefined) return t('team.conflicts.removed');
  const v = JSON.parse(json) as unknown;
  return typeof v === 'string' ? v : JSON.stringify(v, null, 1);
};

function resolveForm(ctx: TeamContext, data: PlanData, c: ConflictRecord, message: HTMLElement): HTMLElement {
  const name = `choice-${c.id}`;
  const own = h('textarea', { id: `own-${c.id}`, rows: 3 }, c.lost ? shown(c.lost) : '');
  const radio = (value: string, label: string, checked = false): HTMLElement => h('div', {}, h('input', { type: 'radio', name, id: `${name}-${value}`, value, checked }), ' ', h('label', { for: `${name}-${value}`, class: 'inline-label' }, label));
  const form = h('form', { class: 'resolve', 'aria-label': t('team.conflicts.resolveFor', { element: c.element }) },
    h('fieldset', {}, h('legend', {}, t('team.conflicts.choose')),
      radio('kept', t('team.conflicts.keepKept'), true),
      radio('lost', t('team.conflicts.takeLost')),
      radio('own', t('team.conflicts.writeOwn')),
      h('label', { for: own.id }, t('team.conflicts.own')), own,
    ),
    h('button', { type: 'submit', class: 'primary' }, t('team.conflicts.resolve')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const choice = (form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? 'kept') as 'kept' | 'lost' | 'own';
    const plan = structuredClone(data.plan);
    try {
      if (choice !== 'kept') {
        const keptValue = c.kept === undefined ? undefined : (JSON.parse(c.kept) as unknown);
        // A text element takes the words as written; anything else is JSON.
        const value = choice === 'lost' ? (c.lost === undefined ? undefined : (JSON.parse(c.lost) as unknown)) : typeof keptValue === 'string' || keptValue === undefined ? own.value : (JSON.parse(own.value) as unknown);
        setAtPointer(plan, c.element, value);
      }
    } catch {
      mount(message, actionMessage('problem', t('team.conflicts.badJson')));
      return;
    }
    plan.extension = (plan.extension ?? []).filter((x) => !(x.url === EXTENSION.syncConflict && x.extension?.some((s) => s.url === 'id' && s.valueString === c.id)));
    call(ctx.session, `CarePlan/${plan.id}`, { method: 'PUT', body: plan, ifMatch: data.etag })
      .then(() => conflictsView(ctx, plan.id!, actionMessage('ok', t('team.conflicts.resolved'))))
      .catch((err: unknown) => mount(message, actionMessage('problem', ...problemContent(err))));
  });
  return form;
}

export async function conflictsView(ctx: TeamContext, id: string, notice?: HTMLElement): Promise<void> {
  loadingView(ctx.main, t('loading.plan'));
  const data = await loadPlan(ctx.session, id);
  if (gone(ctx)) return;
  done(ctx.main);
  const conflicts = conflictsOn(data.plan);
  const message = h('div', { class: 'form-message' });
  document.title = `${t('team.nav.conflicts')} – ${t('team.name')}`;
  if (notice) notice.tabIndex = -1;
  mount(
    ctx.main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, t('team.worklist'))),
    h('h1', { tabindex: '-1' }, t('team.conflicts.title', { plan: data.plan.title ?? '' })),
    planNav(id, 'conflicts'),
    notice ?? null,
    message,
    conflicts.length === 0 ? h('p', { class: 'empty' }, t('team.conflicts.none')) : conflicts.map((c) => h('section', { class: 'conflict', 'aria-labelledby': `c-${c.id}`, 'data-testid': 'conflict' },
      h('h2', { id: `c-${c.id}` }, t('team.conflicts.element', { element: c.element })),
      h('div', { class: 'columns' },
        h('div', {}, h('h3', {}, t('team.conflicts.kept')), h('pre', { class: 'value' }, shown(c.kept)), h('p', { class: 'muted' }, t('team.conflicts.by', { who: c.keptBy }))),
        h('div', {}, h('h3', {}, t('team.conflicts.lost')), h('pre', { class: 'value' }, shown(c.lost)), h('p', { class: 'muted' }, t('team.conflicts.by', { who: c.lostBy }))),
      ),
      h('p', { class: 'muted' }, t('team.conflicts.detected', { date: formatDateTime(c.detected) })),
      resolveForm(ctx, data, c, message),
    )),
  );
  notice?.focus();
}
