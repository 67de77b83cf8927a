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
import { call, FhirProblem, type Session } from '../shared/fhir.ts';
import { t } from '../shared/i18n.ts';
import { startShell, type Shell } from '../shared/shell.ts';
import { personName } from '../shared/words.ts';
import { APP_SCOPE, type AppContext } from './context.ts';
import { failureView, watchConnection } from '../shared/states.ts';
import { plansView } from './views/plans.ts';
import { planView } from './views/plan.ts';
import { readByView } from './views/read-by.ts';
import { printView } from './views/print.ts';

const whoText = (ctx: AppContext): string => (ctx.kin ? t('header.kin', { name: ctx.name ?? '' }) : (ctx.name ?? ''));

/**
 * Who is reading. A patient's own record only names the header, so it is read
 * beside the first view rather than before it; next of kin's RelatedPerson
 * says whose plans these are, so it comes first. This page is for patients
 * and next of kin only: anyone else is told so.
 */
async function contextFor(session: Session, shell: Shell): Promise<AppContext> {
  const base = { session, me: session.fhirUser, main: shell.main, announce: shell.announce, signInAgain: shell.signInAgain };
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
      shell.setWho(whoText(me));
    })
    .catch(() => undefined); // the header then shows no name; the view says what failed, if anything did
  return me;
}

const shell = startShell<AppContext>({
  settings: { clientId: 'samplan-app', scope: APP_SCOPE, redirectPath: '/app/' },
  nameKey: 'app.name',
  signInTitle: 'signIn.title',
  signInIntro: 'signIn.intro',
  signInHint: 'signIn.kin',
  contextFor,
  whoText,
  async route(ctx, [what, id, sub], isCurrent) {
    const view = { ...ctx, isCurrent };
    if (what === 'plan' && id && sub === 'read-by') return readByView(view, id);
    if (what === 'plan' && id && sub === 'print') return printView(view, id);
    if (what === 'plan' && id) return planView(view, id);
    return plansView(view);
  },
  failure: failureView,
});
watchConnection(shell.announce);
