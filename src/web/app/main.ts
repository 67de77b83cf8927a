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
import { call, resume, signIn, signOut, type Session } from '../shared/fhir.ts';
import { h, mount } from '../shared/dom.ts';
import { initLocale, t } from '../shared/i18n.ts';
import { languageSwitch } from '../shared/language-switch.ts';
import { nameOf } from '../shared/words.ts';
import { APP_SCOPE, type AppContext } from './context.ts';
import { failureView, loadingView, watchConnection } from './views/states.ts';
import { plansView } from './views/plans.ts';
import { planView } from './views/plan.ts';
import { readByView } from './views/read-by.ts';
import { printView } from './views/print.ts';

const SETTINGS = { clientId: 'samplan-app', scope: APP_SCOPE, redirectPath: '/app/' };

const header = document.getElementById('top')!;
const main = document.getElementById('main')!;
const live = document.getElementById('live')!;

function announce(message: string): void {
  live.textContent = '';
  // A fresh text node after a tick, so screen readers read it even when it repeats.
  setTimeout(() => (live.textContent = message), 50);
}

function renderHeader(ctx?: AppContext): void {
  mount(
    header,
    h('div', { class: 'bar' },
      h('a', { href: '#/', class: 'brand' }, t('app.name')),
      h('div', { class: 'bar-tools' },
        languageSwitch(() => void start().then(() => document.getElementById('language')?.focus())),
        ctx ? h('span', { class: 'who' }, ctx.kin ? t('header.kin', { name: ctx.name ?? '' }) : (ctx.name ?? '')) : null,
        ctx ? h('button', { type: 'button', class: 'link', onclick: () => { signOut(); location.hash = ''; void start(); } }, t('header.signOut')) : null,
      ),
    ),
  );
}

function signInView(): void {
  document.title = `${t('signIn.title')} – ${t('app.name')}`;
  mount(
    main,
    h('h1', { tabindex: '-1' }, t('signIn.title')),
    h('p', {}, t('signIn.intro')),
    h('button', { type: 'button', class: 'primary', onclick: () => void signIn(SETTINGS) }, t('signIn.button')),
    h('p', { class: 'hint' }, t('signIn.kin')),
  );
}

/**
 * Who is reading. A patient's own record only names the header, so it is read
 * beside the first view rather than before it; next of kin's RelatedPerson
 * says whose plans these are, so it comes first.
 */
async function contextFor(session: Session): Promise<AppContext> {
  const base = { session, me: session.fhirUser, main, announce };
  const personName = (n: fhir4.HumanName | undefined): string => n?.text ?? [...(n?.given ?? []), n?.family].filter(Boolean).join(' ');
  if (session.fhirUser.startsWith('RelatedPerson/')) {
    const { body } = await call<fhir4.RelatedPerson>(session, session.fhirUser);
    return { ...base, kin: true, name: personName(body.name?.[0]), patientName: nameOf(body.patient), ...(body.patient.reference ? { patient: body.patient.reference } : {}) };
  }
  const ctx: AppContext = { ...base, kin: false, patient: session.fhirUser };
  void call<fhir4.Patient>(session, session.fhirUser)
    .then(({ body }) => {
      ctx.name = personName(body.name?.[0]);
      renderHeader(ctx);
    })
    .catch(() => undefined); // the header then shows no name; the view says what failed, if anything did
  return ctx;
}

let ctx: AppContext | undefined;

async function route(moveFocus = true): Promise<void> {
  if (!ctx) return;
  const [, what, id, sub] = location.hash.replace(/^#/, '').split('/');
  window.scrollTo(0, 0);
  try {
    if (what === 'plan' && id && sub === 'read-by') await readByView(ctx, id);
    else if (what === 'plan' && id && sub === 'print') await printView(ctx, id);
    else if (what === 'plan' && id) await planView(ctx, id);
    else await plansView(ctx);
  } catch (err) {
    failureView(main, err, () => void route(), () => void signIn(SETTINGS));
  }
  // On a change of view its heading takes focus, so keyboard and screen-reader users start at its top;
  // a page that just loaded keeps the browser's start (the skip link first).
  if (moveFocus) main.querySelector<HTMLElement>('h1')?.focus();
  // A user timing for each view shown (bench/web-first-view.ts reads the first).
  performance.mark('samplan:view');
}

async function start(): Promise<void> {
  initLocale();
  renderHeader(ctx);
  loadingView(main, t('loading.signIn'));
  try {
    const session = await resume();
    if (!session) {
      renderHeader();
      return signInView();
    }
    ctx = await contextFor(session);
    renderHeader(ctx);
    await route(false);
  } catch (err) {
    renderHeader();
    failureView(main, err, () => void start(), () => void signIn(SETTINGS));
  }
}

window.addEventListener('hashchange', () => void route());
watchConnection(announce);
void start();
