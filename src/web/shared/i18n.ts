/**
 * Interface strings in Swedish, Norwegian (bokmål) and English: one key set,
 * three files (locales/*.json; test/web/locales.test.ts fails on a missing or
 * extra key). The language is the person's choice when they made one (kept in
 * localStorage), else the first of the browser's languages we have. The
 * plan's own text is never translated: it stays as the care team wrote it.
 */
import { LOCALES, MESSAGES, type Locale, type MessageKey } from './messages.ts';

export { LOCALES, MESSAGES, type Locale, type MessageKey };

const STORAGE_KEY = 'samplan.locale';
let current: Locale = 'sv';

/** Browser tags to ours: Norwegian in any form (no, nb, nn) reads bokmål. */
export function localeOf(tag: string): Locale | undefined {
  const base = tag.toLowerCase().split('-')[0];
  if (base === 'sv') return 'sv';
  if (base === 'nb' || base === 'no' || base === 'nn') return 'nb';
  if (base === 'en') return 'en';
  return undefined;
}

export function initLocale(): Locale {
  const stored = safeStorage()?.getItem(STORAGE_KEY);
  const chosen = stored && (LOCALES as readonly string[]).includes(stored) ? (stored as Locale) : undefined;
  current = chosen ?? navigator.languages.map(localeOf).find((l) => l !== undefined) ?? 'sv';
  document.documentElement.lang = current;
  return current;
}

export function setLocale(locale: Locale): void {
  current = locale;
  safeStorage()?.setItem(STORAGE_KEY, locale);
  document.documentElement.lang = locale;
}

export function currentLocale(): Locale {
  return current;
}

/** The message for `key` with `{name}` placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = MESSAGES[current][key] ?? MESSAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Whether a key exists (for keys built from codes, e.g. `status.active`). */
export function has(key: string): key is MessageKey {
  return key in MESSAGES.en;
}

/** Private browsing can refuse storage: the choice then lasts for the page only. */
function safeStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
