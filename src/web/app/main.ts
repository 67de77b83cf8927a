/**
 * "Min plan" — the patient's (and next of kin's) page, a SMART on FHIR app of
 * samplan's own API (DESIGN.md "Web"). Routes live in the hash, so the page is
 * one static file and a reload keeps the place:
 *   #/                      my plans
 *   #/plan/{id}             one plan, agreement, my own measures
 *   #/plan/{id}/read-by     who has read my plan
 *   #/plan/{id}/print       the patient contract on paper
 */
import '../shared/styles.css';
import { call, FhirProblem, resume, signIn, signOut, SignInRefused, type Session } from '../shared/fhir.ts';
import { h, mount } from '../shared/dom.ts';
import { initLocale, t } from '../shared/i18n.ts';
import { languageSwitch } from '../shared/language-switch.ts';
import { personName } from '../shared/words.ts';
import { APP_SCOPE, type AppContext } from './context.ts';
import { failureView, loadingView, watchConnection } from './views/states.ts';
import { plansView } from './views/plans.ts';
import { planView } from './views/plan.ts';
import { readByView } from './views/read-by.ts';
import { printView } from './views/print.ts';

const SETTINGS = { clientId: 'samplan-app', scope: APP_SCOPE, redirectPath: '/app/' };
/** Where a person was going when they had to sign in: back there afterwards. */
const RETURN_TO = 'samplan.returnTo';

const header = document.getElementById('top')!;
const main = document.getElementById('main')!;
const live = document.getElementById('live')!;

function announce(message: string): void {
  live.textContent = '';
  // A fresh text node after a tick, so screen readers read it even when it repeats.
  setTimeout(() => (live.textContent = message), 50);
}

function startSignIn(): void {
  if (location.hash.length > 2) sessionStorage.setItem(RETURN_TO, location.hash);
  void signIn(SETTINGS);
}

function whoText(ctx: AppContext): string {
  return ctx.kin ? t('header.kin', { name: ctx.name ?? '' }) : (ctx.name ?? '');
}

function renderHeader(ctx?: AppContext): void {
  document.querySelector('.skip')!.textContent = t('skip');
  mount(
    header,
    h('div', { class: 'bar' },
      h('a', { href: '#/', class: 'brand' }, t('app.name')),
      h('div', { class: 'bar-tools' },
        languageSwitch(() => {
          renderHeader(ctx);
          document.getElementById('language')?.focus();
          if (ctx) void route(false);
          else signInView();
        }),
        ctx ? h('span', { class: 'who' }, whoText(ctx)) : null,
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
  document.title = `${t('signIn.title')} – ${t('app.name')}`;
  mount(
    main,
    h('h1', { tabindex: '-1' }, t('signIn.title')),
    message ? h('p', { class: 'notice', role: 'status' }, message) : null,
    h('p', {}, t('signIn.intro')),
    h('button', { type: 'button', class: 'primary', onclick: startSignIn }, t('signIn.button')),
    h('p', { class: 'hint' }, t('signIn.kin')),
  );
}

/**
 * Who is reading. A patient's own record only names the header, so it is read
 * beside the first view rather than before it; next of kin's RelatedPerson
 * says whose plans these are, so it comes first. This page is for patients
 * and next of kin only: anyone else is told so.
 */
async function contextFor(session: Session): Promise<AppContext> {
  const base = { session, me: session.fhirUser, main, announce, signInAgain: startSignIn };
  if (session.fhirUser.startsWith('RelatedPerson/')) {
    const { body } = await call<fhir4.RelatedPerson>(session, session.fhirUser);
    const patient = body.patient.reference;
    const patientName = body.patient.display ?? (patient ? personName((await call<fhir4.Patient>(session, patient)).body.name) : '');
    return { ...base, kin: true, name: personName(body.name), patientName, ...(patient ? { patient } : {}) };
  }
  if (!session.fhirUser.startsWith('Patient/')) throw new FhirProblem('not-for-me', 403);
  const me: AppContext = { ...base, kin: false, patient: session.fhirUser };
  void call<fhir4.Patient>(session, session.fhirUser)
    .then(({ body }) => {
      me.name = personName(body.name);
      // Only the name: redrawing the header would take focus from whoever is in it.
      const who = header.querySelector('.who');
      if (who) who.textContent = whoText(me);
    })
    .catch(() => undefined); // the header then shows no name; the view says what failed, if anything did
  return me;
}

let ctx: AppContext | undefined;
/** Bumped by every route and sign-out: a view still loading for an older one does not draw. */
let generation = 0;

async function route(moveFocus = true): Promise<void> {
  const current = ctx;
  if (!current) return;
  const mine = ++generation;
  const [, what, id, sub] = location.hash.replace(/^#/, '').split('/');
  window.scrollTo(0, 0);
  const view = { ...current, isCurrent: () => mine === generation && ctx === current };
  try {
    if (what === 'plan' && id && sub === 'read-by') await readByView(view, id);
    else if (what === 'plan' && id && sub === 'print') await printView(view, id);
    else if (what === 'plan' && id) await planView(view, id);
    else await plansView(view);
  } catch (err) {
    if (!view.isCurrent()) return;
    failureView(main, err, () => void route(), startSignIn);
  }
  if (!view.isCurrent()) return;
  // On a change of view its heading takes focus, so keyboard and screen-reader users start at its top;
  // a page that just loaded keeps the browser's start (the skip link first).
  if (moveFocus) main.querySelector<HTMLElement>('h1')?.focus();
  // A user timing for each view shown (bench/web-first-view.ts reads the first).
  performance.mark('samplan:view');
}

async function start(): Promise<void> {
  initLocale();
  renderHeader();
  loadingView(main, t('loading.signIn'));
  try {
    const session = await resume();
    if (!session) return signInView();
    const back = sessionStorage.getItem(RETURN_TO);
    if (back) {
      sessionStorage.removeItem(RETURN_TO);
      history.replaceState(null, '', location.pathname + back);
    }
    ctx = await contextFor(session);
    renderHeader(ctx);
    await route(false);
  } catch (err) {
    // A sign-in the person cancelled or the provider refused: say so, and offer to start again.
    if (err instanceof SignInRefused) return signInView(t('signIn.refused'));
    failureView(main, err, () => void start(), startSignIn);
  }
}

window.addEventListener('hashchange', () => void route());
watchConnection(announce);
void start();
