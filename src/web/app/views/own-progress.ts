/**
 * Progress on a measure I perform myself: its status and a short note. The
 * only write a patient makes to a plan (src/auth/patient-writes.ts), sent as
 * an update with If-Match. When the care team saved the plan meanwhile (412),
 * my change is put onto their version and sent once more: it touches only my
 * own measure, so nothing of theirs is overwritten.
 */
import { call, FhirProblem } from '../../shared/fhir.ts';
import { h, mount } from '../../shared/dom.ts';
import { t, type MessageKey } from '../../shared/i18n.ts';
import { loadPlan, type PlanData } from '../../shared/plan-data.ts';
import { isOwnMeasure } from '../../shared/plan.ts';
import { problemContent } from '../../shared/words.ts';
import type { AppContext } from '../context.ts';
import type { Reload } from './plan.ts';
import { actionMessage } from './states.ts';

/** The statuses a person can say of their own measure (https://hl7.org/fhir/R4/valueset-care-plan-activity-status.html). */
const OWN_STATUSES: fhir4.CarePlanActivityDetail['status'][] = ['not-started', 'in-progress', 'on-hold', 'completed', 'stopped'];

interface Progress {
  status: fhir4.CarePlanActivityDetail['status'];
  note: string;
}

function applied(plan: fhir4.CarePlan, index: number, p: Progress, me: string): fhir4.CarePlan {
  const next = structuredClone(plan);
  const activity = next.activity![index]!;
  activity.detail!.status = p.status;
  if (p.note) activity.progress = [...(activity.progress ?? []), { text: p.note, time: new Date().toISOString(), authorReference: { reference: me } }];
  return next;
}

async function save(ctx: AppContext, data: PlanData, index: number, p: Progress): Promise<void> {
  const description = data.plan.activity?.[index]?.detail?.description;
  try {
    await call(ctx.session, `CarePlan/${encodeURIComponent(data.plan.id!)}`, { method: 'PUT', body: applied(data.plan, index, p, ctx.me), ifMatch: data.etag });
  } catch (err) {
    if (!(err instanceof FhirProblem) || err.kind !== 'conflict') throw err;
    const fresh = await loadPlan(ctx.session, data.plan.id!);
    const same = fresh.plan.activity?.[index];
    // Only when my measure is still where it was, as it was: else the person must look again.
    if (!same || same.detail?.description !== description || !isOwnMeasure(same, ctx.me)) throw err;
    await call(ctx.session, `CarePlan/${encodeURIComponent(fresh.plan.id!)}`, { method: 'PUT', body: applied(fresh.plan, index, p, ctx.me), ifMatch: fresh.etag });
  }
}

export function ownProgressForm(ctx: AppContext, data: PlanData, index: number, reload: Reload): HTMLElement {
  const current = data.plan.activity?.[index]?.detail?.status;
  // The measure's own status is always offered, so saving a note never changes it unasked.
  const statuses = current && !OWN_STATUSES.includes(current) ? [current, ...OWN_STATUSES] : OWN_STATUSES;
  const id = `progress-${index}`;
  const status = h('select', { id: `${id}-status`, name: 'status' }, statuses.map((s) => h('option', { value: s, selected: s === current }, t(`activity.${s}` as MessageKey))));
  const note = h('textarea', { id: `${id}-note`, name: 'note', rows: 2, maxlength: 500 });
  const message = h('div', { class: 'form-message' });
  const button = h('button', { type: 'submit' }, t('progress.save'));
  const form = h('form', { class: 'progress-form', 'aria-labelledby': `measure-${index}` },
    h('div', { class: 'field' }, h('label', { for: `${id}-status` }, t('progress.status')), status),
    h('div', { class: 'field' }, h('label', { for: `${id}-note` }, t('progress.note')), note),
    button,
    message,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    button.disabled = true;
    save(ctx, data, index, { status: status.value as Progress['status'], note: note.value.trim() })
      .then(
        () => reload({ notice: actionMessage('ok', t('progress.saved')), at: `li.measure[data-measure="${index}"]` }),
        (err: unknown) => {
          button.disabled = false;
          mount(message, actionMessage('problem', ...problemContent(err)));
        },
      );
  });
  return h('details', { class: 'progress' }, h('summary', {}, t('progress.open')), form);
}
