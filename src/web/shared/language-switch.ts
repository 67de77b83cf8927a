/** The language choice: a labelled select, each language named in itself; the choice sticks (i18n.setLocale). */
import { h } from './dom.ts';
import { currentLocale, LOCALES, setLocale, t, type Locale } from './i18n.ts';

const NAMES: Record<Locale, string> = { sv: 'Svenska', nb: 'Norsk (bokmål)', en: 'English' };

export function languageSwitch(onChange: () => void): HTMLElement {
  const select = h(
    'select',
    { id: 'language', onchange: (e: Event) => { setLocale((e.target as HTMLSelectElement).value as Locale); onChange(); } },
    LOCALES.map((l) => h('option', { value: l, lang: l, selected: l === currentLocale() }, NAMES[l])),
  );
  return h('div', { class: 'language' }, h('label', { for: 'language' }, t('header.language')), select);
}
