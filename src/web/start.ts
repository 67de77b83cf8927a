/**
 * `/`: sends a person to the right app — the patient's and next of kin's
 * page "Min plan" (/app/), or the care team's workspace (/team/) once it is
 * there — in their language.
 */
import './shared/styles.css';
import { h, mount } from './shared/dom.ts';
import { initLocale, t } from './shared/i18n.ts';
import { languageSwitch } from './shared/language-switch.ts';

function render(): void {
  initLocale();
  document.title = 'samplan';
  mount(document.getElementById('top')!, h('div', { class: 'bar' }, h('span', { class: 'brand' }, 'samplan'), h('div', { class: 'bar-tools' }, languageSwitch(render))));
  mount(
    document.getElementById('main')!,
    h('h1', { tabindex: '-1' }, t('start.title')),
    h('p', {}, t('start.intro')),
    h('ul', { class: 'cards' },
      h('li', { class: 'card' }, h('h2', {}, h('a', { href: '/app/' }, t('start.patient'))), h('p', {}, t('start.patientText'))),
    ),
    h('p', { class: 'muted' }, h('a', { href: '/fhir/metadata' }, t('start.api'))),
  );
}
render();
