/**
 * What both apps share around their views: the header (name, language,
 * sign-out), the sign-in page, the SMART sign-in and its return to where the
 * person was going, and routing by the hash where a view still loading for
 * an older route never draws.
 */
import { h, mount } from './dom.ts';
import { resume, signIn, signOut, SignInRefused, type AppSettings, type Session } from './fhir.ts';
import { initLocale, t, type MessageKey } from './i18n.ts';
import { languageSwitch } from './language-switch.ts';

/** Where a person was going when they had to sign in: back there afterwards. */
const RETURN_TO = 'samplan.returnTo';

export interface ShellOptions<C> {
  settings: AppSettings;
  /** The app's name in the header and titles. */
  nameKey: MessageKey;
  signInTitle: MessageKey;
  signInIntro: MessageKey;
  /** A line under the sign-in button (e.g. for next of kin). */
  signInHint?: MessageKey;
  /** Who is reading, from the session (throws a FhirProblem for someone the app is not for). */
  contextFor(session: Session, shell: Shell): Promise<C>;
  /** The name shown in the header for the context. */
  whoText(ctx: C): string;
  /** Draws the view for the hash; throws what failed. */
  route(ctx: C, parts: string[], isCurrent: () => boolean): Promise<void>;
  /** The page for a failure (expired, offline, refused…). */
  failure(main: HTMLElement, err: unknown, retry: () => void, signInAgain: () => void): void;
}

export interface Shell {
  main: HTMLElement;
  announce(message: string): void;
  signInAgain(): void;
  /** The name in the header changed (it arrived after the view): only that text is redrawn, so focus stays. */
  setWho(text: string): void;
}

export function startShell<C>(o: ShellOptions<C>): Shell {
  const header = document.getElementById('top')!;
  const main = document.getElementById('main')!;
  const live = document.getElementById('live')!;
  let ctx: C | undefined;
  /** Bumped by every route and sign-out: a view still loading for an older one does not draw. */
  let generation = 0;

  const shell: Shell = {
    main,
    announce(message) {
      live.textContent = '';
      // A fresh text node after a tick, so screen readers read it even when it repeats.
      setTimeout(() => (live.textContent = message), 50);
    },
    signInAgain() {
      if (location.hash.length > 2) sessionStorage.setItem(RETURN_TO, location.hash);
      void signIn(o.settings);
    },
    setWho(text) {
      const who = header.querySelector('.who');
      if (who) who.textContent = text;
    },
  };

  function renderHeader(): void {
    document.querySelector('.skip')!.textContent = t('skip');
    mount(
      header,
      h('div', { class: 'bar' },
        h('a', { href: '#/', class: 'brand' }, t(o.nameKey)),
        h('div', { class: 'bar-tools' },
          languageSwitch(() => {
            renderHeader();
            document.getElementById('language')?.focus();
            if (ctx) void route(false);
            else signInView();
          }),
          ctx ? h('span', { class: 'who' }, o.whoText(ctx)) : null,
          ctx ? h('button', { type: 'button', class: 'link', onclick: signOutNow }, t('header.signOut')) : null,
        ),
      ),
    );
  }

  /** Forget the session first, so no view still loading can draw with it; then the sign-in page, announced. */
  function signOutNow(): void {
    ctx = undefined;
    generation++;
    signOut();
    history.replaceState(null, '', location.pathname);
    renderHeader();
    signInView(t('signOut.done'));
    main.querySelector<HTMLElement>('h1')?.focus();
  }

  function signInView(message?: string): void {
    document.title = `${t(o.signInTitle)} – ${t(o.nameKey)}`;
    mount(
      main,
      h('h1', { tabindex: '-1' }, t(o.signInTitle)),
      message ? h('p', { class: 'notice', role: 'status' }, message) : null,
      h('p', {}, t(o.signInIntro)),
      h('button', { type: 'button', class: 'primary', onclick: () => shell.signInAgain() }, t('signIn.button')),
      o.signInHint ? h('p', { class: 'hint' }, t(o.signInHint)) : null,
    );
  }

  async function route(moveFocus = true): Promise<void> {
    const current = ctx;
    if (current === undefined) return;
    const mine = ++generation;
    const isCurrent = (): boolean => mine === generation && ctx === current;
    window.scrollTo(0, 0);
    try {
      await o.route(current, location.hash.replace(/^#\/?/, '').split('/'), isCurrent);
    } catch (err) {
      if (!isCurrent()) return;
      main.removeAttribute('aria-busy');
      o.failure(main, err, () => void route(), () => shell.signInAgain());
    }
    if (!isCurrent()) return;
    // On a change of view its heading takes focus, so keyboard and screen-reader users start at its top;
    // a page that just loaded keeps the browser's start (the skip link first).
    if (moveFocus) main.querySelector<HTMLElement>('h1')?.focus();
    // A user timing for each view shown (bench/web-first-view.ts reads the first).
    performance.mark('samplan:view');
  }

  async function start(): Promise<void> {
    initLocale();
    renderHeader();
    main.setAttribute('aria-busy', 'true');
    mount(main, h('p', { class: 'loading', role: 'status' }, t('loading.signIn')));
    try {
      const session = await resume();
      main.removeAttribute('aria-busy');
      if (!session) return signInView();
      const back = sessionStorage.getItem(RETURN_TO);
      if (back) {
        sessionStorage.removeItem(RETURN_TO);
        history.replaceState(null, '', location.pathname + back);
      }
      ctx = await o.contextFor(session, shell);
      renderHeader();
      await route(false);
    } catch (err) {
      main.removeAttribute('aria-busy');
      // A sign-in the person cancelled or the provider refused: say so, and offer to start again.
      if (err instanceof SignInRefused) return signInView(t('signIn.refused'));
      o.failure(main, err, () => void start(), () => shell.signInAgain());
    }
  }

  window.addEventListener('hashchange', () => void route());
  void start();
  return shell;
}
