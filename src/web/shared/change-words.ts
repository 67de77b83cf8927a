/**
 * What an edit changed, for people who edit plans: everything the patient's
 * diff names (plan-diff.ts) and also the title, description and status, which
 * matter to the team though not to the agreement.
 */
import { h } from './dom.ts';
import { formatDate } from './format.ts';
import { t, type MessageKey } from './i18n.ts';
import { planChanges, type Change } from './plan-diff.ts';
import { statusText } from './words.ts';

export type EditChange = Change | { kind: 'status-changed'; before: string; after: string } | { kind: 'title-changed' | 'description-changed' };

export function editChanges(before: fhir4.CarePlan, after: fhir4.CarePlan): EditChange[] {
  const out: EditChange[] = [];
  if (before.status !== after.status) out.push({ kind: 'status-changed', before: before.status, after: after.status });
  if ((before.title ?? '') !== (after.title ?? '')) out.push({ kind: 'title-changed' });
  if ((before.description ?? '') !== (after.description ?? '')) out.push({ kind: 'description-changed' });
  return [...out, ...planChanges({ agreed: before, current: after, goalsThen: new Map(), goalsNow: new Map() })];
}

export function changeText(c: EditChange): string {
  switch (c.kind) {
    case 'status-changed':
      return t('team.change.status', { before: statusText(c.before), after: statusText(c.after) });
    case 'title-changed':
    case 'description-changed':
      return t(`team.change.${c.kind}` as MessageKey);
    case 'measure-added':
    case 'measure-removed':
    case 'goal-added':
    case 'goal-removed':
    case 'goal-changed':
      return t(`changes.${c.kind}` as MessageKey, { text: c.text });
    case 'measure-changed':
      return c.aspects.includes('description') ? t('changes.measure-reworded', { before: c.before, text: c.text }) : t('changes.measure-changed', { text: c.text, what: c.aspects.map((x) => t(`changes.aspect.${x}` as MessageKey)).join(', ') });
    case 'contact-changed':
    case 'coordinator-changed':
      return t(`changes.${c.kind}` as MessageKey, { before: c.before ?? t('changes.nobody'), after: c.after ?? t('changes.nobody') });
    case 'review-changed':
      return t('changes.review-changed', { before: c.before ? formatDate(c.before) : t('changes.noDate'), after: c.after ? formatDate(c.after) : t('changes.noDate') });
    case 'period-changed':
      return t('changes.period-changed');
  }
}

export function changeList(changes: EditChange[], testid: string): HTMLElement {
  return changes.length === 0 ? h('p', { 'data-testid': testid }, t('team.change.none')) : h('ul', { 'data-testid': testid }, changes.map((c) => h('li', {}, changeText(c))));
}
