/**
 * My agreement: have I agreed to this version; if the plan changed since,
 * what changed (from the agreed version and the current one, plan-diff.ts);
 * and "I agree" ($agree on the version shown, so I never agree to a version I
 * have not seen). Next of kin agree on the patient's behalf and say why.
 */
import { call, FhirProblem } from '../../shared/fhir.ts';
import { h, mount } from '../../shared/dom.ts';
import { formatDate, formatDateTime } from '../../shared/format.ts';
import { t, type MessageKey } from '../../shared/i18n.ts';
import { goalRefs, goalsAt, loadVersion, named, type PlanData } from '../../shared/plan-data.ts';
import { planChanges, type Change } from '../../shared/plan-diff.ts';
import { agreementOf, versionOf } from '../../shared/plan.ts';
import { nameOf, problemContent } from '../../shared/words.ts';
import { sameReference } from '../../../auth/references.ts';
import type { AppContext } from '../context.ts';
import type { Reload } from './plan.ts';
import { actionMessage } from './states.ts';

export function agreementSection(ctx: AppContext, data: PlanData, reload: Reload): HTMLElement {
  const { plan } = data;
  const a = agreementOf(plan);
  const section = h('section', { 'aria-labelledby': 'agreement-h', class: `agreement agreement-${a?.status ?? 'none'}` }, h('h2', { id: 'agreement-h' }, t('agreement.title')));
  const version = plan.meta?.versionId ?? '';
  // "You agreed" when it was me; else who did (the patient, or next of kin on their behalf).
  const mine = sameReference(a?.agreedBy?.reference, ctx.me);
  const said = a ? { date: formatDateTime(a.agreedAt), version: versionOf(a.agreedVersion) ?? '', who: nameOf(named(a.agreedBy, plan, data.teams)) } : undefined;
  if (a?.status === 'current') {
    section.append(h('p', { 'data-testid': 'agreement-state' }, t(mine ? 'agreement.current' : 'agreement.currentBy', said)));
    return section;
  }
  if (a) {
    section.append(h('p', { 'data-testid': 'agreement-state' }, t(mine ? 'agreement.stale' : 'agreement.staleBy', said)));
    const changes = h('div', { class: 'changes' }, h('p', { class: 'loading', role: 'status' }, t('loading.changes')));
    section.append(changes);
    void showChanges(ctx, data, a.agreedVersion, a.agreedAt, changes);
  } else {
    section.append(h('p', { 'data-testid': 'agreement-state' }, t(ctx.kin ? 'agreement.noneKin' : 'agreement.noneLong')));
  }
  if (plan.status === 'entered-in-error' || plan.status === 'revoked' || plan.status === 'completed') return section;
  section.append(agreeForm(ctx, plan.id!, version, reload));
  return section;
}

async function showChanges(ctx: AppContext, data: PlanData, agreedVersion: string, agreedAt: string, into: HTMLElement): Promise<void> {
  try {
    const agreed = await loadVersion(ctx.session, data.plan.id!, versionOf(agreedVersion) ?? '');
    const goalsThen = await goalsAt(ctx.session, goalRefs(agreed, data.plan), agreedAt);
    const changes = planChanges({ agreed, current: data.plan, goalsThen, goalsNow: data.goals });
    mount(into,
      h('h3', {}, t('changes.title')),
      changes.length === 0 ? h('p', {}, t('changes.none')) : h('ul', { 'data-testid': 'changes' }, changes.map((c) => h('li', {}, changeText(c)))),
    );
  } catch (err) {
    mount(into, actionMessage('problem', ...problemContent(err)));
  }
}

function changeText(c: Change): string {
  switch (c.kind) {
    case 'measure-added':
    case 'measure-removed':
    case 'goal-added':
    case 'goal-removed':
    case 'goal-changed':
      return t(`changes.${c.kind}` as MessageKey, { text: c.text });
    case 'measure-changed': {
      const what = c.aspects.map((x) => t(`changes.aspect.${x}` as MessageKey)).join(', ');
      return c.aspects.includes('description') ? t('changes.measure-reworded', { before: c.before, text: c.text }) : t('changes.measure-changed', { text: c.text, what });
    }
    case 'contact-changed':
    case 'coordinator-changed':
      return t(`changes.${c.kind}` as MessageKey, { before: c.before ?? t('changes.nobody'), after: c.after ?? t('changes.nobody') });
    case 'review-changed':
      return t('changes.review-changed', { before: c.before ? formatDate(c.before) : t('changes.noDate'), after: c.after ? formatDate(c.after) : t('changes.noDate') });
    case 'period-changed':
      return t('changes.period-changed');
  }
}

function agreeForm(ctx: AppContext, id: string, versionId: string, reload: Reload): HTMLElement {
  const message = h('div', { class: 'form-message' });
  const reason = ctx.kin ? h('textarea', { id: 'agree-reason', name: 'reason', rows: 3, required: true, 'aria-describedby': 'agree-reason-hint' }) : undefined;
  const button = h('button', { type: 'submit', class: 'primary' }, t('agreement.agree'));
  const form = h('form', { class: 'agree-form', novalidate: true },
    h('p', {}, t(ctx.kin ? 'agreement.explainKin' : 'agreement.explain')),
    reason ? [h('label', { for: 'agree-reason' }, t('agreement.reason')), h('p', { id: 'agree-reason-hint', class: 'hint' }, t('agreement.reasonHint')), reason] : null,
    button,
    message,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const why = reason?.value.trim();
    if (reason && !why) {
      reason.setAttribute('aria-invalid', 'true');
      mount(message, actionMessage('problem', t('agreement.reasonMissing')));
      reason.focus();
      return;
    }
    button.disabled = true;
    const parameter: fhir4.ParametersParameter[] = [{ name: 'versionId', valueId: versionId }, ...(why ? [{ name: 'reason', valueString: why }] : [])];
    call<fhir4.CarePlan>(ctx.session, `CarePlan/${encodeURIComponent(id)}/$agree`, { method: 'POST', body: { resourceType: 'Parameters', parameter } })
      .then(
        () => reload({ notice: actionMessage('ok', t('agreement.done')), at: 'section.agreement' }),
        (err: unknown) => {
          button.disabled = false;
          // The plan changed while I read it: show the new version, and say so, rather than agree blind.
          if (err instanceof FhirProblem && err.kind === 'conflict') return reload({ notice: actionMessage('problem', t('agreement.changedMeanwhile')), at: 'section.agreement' });
          mount(message, actionMessage('problem', ...problemContent(err)));
        },
      );
  });
  return form;
}
