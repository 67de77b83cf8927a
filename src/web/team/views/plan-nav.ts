/** The parts of one plan in the workspace: edit, team, conflicts, history. */
import { h } from '../../shared/dom.ts';
import { t, type MessageKey } from '../../shared/i18n.ts';

const PARTS = [
  ['edit', '', 'team.nav.edit'],
  ['team', '/team', 'team.nav.team'],
  ['conflicts', '/conflicts', 'team.nav.conflicts'],
  ['history', '/history', 'team.nav.history'],
] as const;

export function planNav(id: string, current: (typeof PARTS)[number][0]): HTMLElement {
  return h('nav', { class: 'plan-nav', 'aria-label': t('team.nav.label') },
    h('ul', {}, PARTS.map(([key, path, label]) => h('li', {}, h('a', { href: `#/plan/${id}${path}`, 'aria-current': key === current ? 'page' : undefined }, t(label as MessageKey))))),
  );
}
