/** Whether I have agreed to the plan as it is, in a short line (text, not colour alone). */
import { h } from '../../shared/dom.ts';
import { formatDate } from '../../shared/format.ts';
import { t } from '../../shared/i18n.ts';
import type { AgreementView } from '../../shared/plan.ts';

export function agreementBadge(a: AgreementView | undefined, kin: boolean): HTMLElement {
  if (!a) return h('p', { class: 'badge badge-none' }, t(kin ? 'agreement.noneKin' : 'agreement.none'));
  if (a.status === 'current') return h('p', { class: 'badge badge-current' }, t('agreement.currentShort', { date: formatDate(a.agreedAt) }));
  return h('p', { class: 'badge badge-stale' }, t(kin ? 'agreement.staleShortKin' : 'agreement.staleShort', { date: formatDate(a.agreedAt) }));
}
