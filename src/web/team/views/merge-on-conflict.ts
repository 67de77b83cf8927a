/**
 * Someone else saved the plan first (412 on If-Match). Shown side by side:
 * what they changed and what I changed since the version I started from.
 * "Re-apply my changes" merges element by element with that version as base
 * (the sync's own three-way merge, src/sync/merge.ts): what only one of us
 * changed is kept as it is; where we both changed the same element, mine is
 * put on theirs — I saw theirs here before choosing. The result is saved
 * with their version in If-Match, so a third save in between is caught too.
 */
import { merge3 } from '../../../sync/merge.ts';
import { changeList, editChanges } from '../../shared/change-words.ts';
import { call, FhirProblem } from '../../shared/fhir.ts';
import { h, mount } from '../../shared/dom.ts';
import { t } from '../../shared/i18n.ts';
import { loadPlan, type PlanData } from '../../shared/plan-data.ts';
import { actionMessage } from '../../shared/states.ts';
import { problemContent } from '../../shared/words.ts';
import type { TeamContext } from '../context.ts';

export interface Collision {
  /** The version my edit started from. */
  base: fhir4.CarePlan;
  /** My edit, as the form says. */
  mine: fhir4.CarePlan;
  /** The plan as it is now. */
  latest: PlanData;
}

export function comparePanel(ctx: TeamContext, c: Collision, reload: (notice: HTMLElement) => Promise<void>): HTMLElement {
  const theirs = c.latest.plan;
  const { conflicts } = merge3(c.base, theirs, c.mine);
  const message = h('div', { class: 'form-message' });
  const reapply = h('button', { type: 'button', class: 'primary' }, t('team.merge.reapply'));
  reapply.addEventListener('click', () => {
    reapply.disabled = true;
    // merge3(base, local, remote) keeps the remote's value where both changed: here "remote" is my edit.
    const merged = merge3(c.base, theirs, c.mine).merged;
    call(ctx.session, `CarePlan/${theirs.id}`, { method: 'PUT', body: merged, ifMatch: c.latest.etag })
      .then(() => reload(actionMessage('ok', t('team.merge.done'))))
      .catch(async (err: unknown) => {
        reapply.disabled = false;
        if (err instanceof FhirProblem && err.status === 412) {
          const latest = await loadPlan(ctx.session, theirs.id!);
          const panel = comparePanel(ctx, { ...c, latest }, reload);
          panelEl.replaceWith(panel);
          return;
        }
        mount(message, actionMessage('problem', ...problemContent(err)));
      });
  });
  const panelEl = h('section', { class: 'compare', 'aria-labelledby': 'compare-h', 'data-testid': 'compare' },
    h('h2', { id: 'compare-h', tabindex: '-1' }, t('team.merge.title', { v: theirs.meta?.versionId ?? '' })),
    h('p', {}, t('team.merge.intro')),
    h('div', { class: 'columns' },
      h('div', {}, h('h3', {}, t('team.merge.theirs')), changeList(editChanges(c.base, theirs), 'their-changes')),
      h('div', {}, h('h3', {}, t('team.merge.mine')), changeList(editChanges(c.base, c.mine), 'my-changes')),
    ),
    conflicts.length > 0 ? h('p', { class: 'notice-warn' }, t('team.merge.both', { n: conflicts.length })) : h('p', {}, t('team.merge.noOverlap')),
    h('p', {}, reapply, ' ', h('button', { type: 'button', onclick: () => void reload(actionMessage('ok', t('team.merge.discarded'))) }, t('team.merge.discard'))),
    message,
  );
  return panelEl;
}
