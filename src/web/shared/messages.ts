/**
 * The interface strings: one key set in three files (locales/*.json). Apart
 * from i18n.ts so that tests (in Node, without a DOM) can check the key sets.
 */
import en from './locales/en.json' with { type: 'json' };
import nb from './locales/nb.json' with { type: 'json' };
import sv from './locales/sv.json' with { type: 'json' };

export type Locale = 'sv' | 'nb' | 'en';
export type MessageKey = keyof typeof en;
export const LOCALES: readonly Locale[] = ['sv', 'nb', 'en'];
export const MESSAGES: Record<Locale, Record<MessageKey, string>> = { sv, nb, en };
