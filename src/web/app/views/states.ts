/**
 * The honest states of a page: loading, a failure said in words (expired
 * sign-in, offline, refused, not found), and a banner while the browser is
 * offline. Nothing here shows raw JSON.
 */
import { h, mount, type Child } from '../../shared/dom.ts';
import { FhirProblem } from '../../shared/fhir.ts';
import { t } from '../../shared/i18n.ts';
import { problemContent } from '../../shared/words.ts';
import type { AppContext } from '../context.ts';

export function loadingView(main: HTMLElement, text: string): void {
  main.setAttribute('aria-busy', 'true');
  mount(main, h('p', { class: 'loading', role: 'status' }, text));
}

export function done(main: HTMLElement): void {
  main.removeAttribute('aria-busy');
}

/** True when the person has moved on (another view, signed out) while this one loaded: it must not draw. */
export function gone(ctx: AppContext): boolean {
  return ctx.isCurrent ? !ctx.isCurrent() : false;
}

export function failureView(main: HTMLElement, err: unknown, retry: () => void, signInAgain: () => void): void {
  done(main);
  const kind = err instanceof FhirProblem ? err.kind : 'other';
  if (kind === 'expired') {
    document.title = t('expired.title');
    return mount(main, h('h1', { tabindex: '-1' }, t('expired.title')), h('p', {}, t('expired.text')), h('button', { type: 'button', class: 'primary', onclick: signInAgain }, t('signIn.again')));
  }
  if (kind === 'not-for-me') {
    document.title = t('notForMe.title');
    return mount(main, h('h1', { tabindex: '-1' }, t('notForMe.title')), h('p', {}, t('notForMe.text')));
  }
  const title = kind === 'offline' ? t('offline.title') : kind === 'not-found' ? t('notFound.title') : t('error.title');
  document.title = title;
  mount(
    main,
    h('h1', { tabindex: '-1' }, title),
    h('p', { class: 'problem', role: 'alert' }, kind === 'offline' ? t('offline.text') : problemContent(err)),
    h('p', {}, h('button', { type: 'button', onclick: retry }, t('retry')), ' ', h('a', { href: '#/' }, t('nav.myPlans'))),
  );
}

/** An inline message after an action, e.g. a refused agreement: in words, and kept on the page. */
export function actionMessage(kind: 'ok' | 'problem', ...text: Child[]): HTMLElement {
  return h('p', { class: kind === 'ok' ? 'notice' : 'problem', role: kind === 'ok' ? 'status' : 'alert' }, ...text);
}

/** The plan's page again after an action; if that fails (offline, signed out), the failure is the page. */
export async function reloadAfter(ctx: AppContext, reload: () => Promise<void>, retry: () => void, signInAgain: () => void): Promise<void> {
  try {
    await reload();
  } catch (err) {
    if (!gone(ctx)) failureView(ctx.main, err, retry, signInAgain);
  }
}

/** The offline banner: shown and hidden with the connection; announced through the page's one live region. */
export function watchConnection(announce: (m: string) => void): void {
  const banner = document.getElementById('offline')!;
  const update = (): void => {
    banner.hidden = navigator.onLine;
    banner.textContent = navigator.onLine ? '' : t('offline.banner');
  };
  window.addEventListener('offline', () => { update(); announce(t('offline.banner')); });
  window.addEventListener('online', () => { update(); announce(t('online.again')); });
  update();
}
