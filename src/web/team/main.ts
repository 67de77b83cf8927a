/**
 * The care team's workspace (/team/), a SMART on FHIR app of samplan's own
 * API like the patient's page (DESIGN.md "Web"). Routes in the hash:
 *   #/                       worklist: what needs me first
 *   #/new                    a new plan from a template per kind
 *   #/plan/{id}              the plan editor
 *   #/plan/{id}/team         the care team
 *   #/plan/{id}/conflicts    sync conflicts to resolve
 *   #/plan/{id}/history      versions, as readable differences
 *   #/indicators             the health community's indicators (administrators)
 */
import '../shared/styles.css';
import { call, FhirProblem, type Session } from '../shared/fhir.ts';
import { failureView, watchConnection } from '../shared/states.ts';
import { startShell, type Shell } from '../shared/shell.ts';
import { personName } from '../shared/words.ts';
import { t } from '../shared/i18n.ts';
import { TEAM_SCOPE, type TeamContext } from './context.ts';
import { conflictsView } from './views/conflicts.ts';
import { editorView } from './views/editor.ts';
import { historyView } from './views/history.ts';
import { indicatorsView } from './views/indicators.ts';
import { membersView } from './views/members.ts';
import { newPlanView } from './views/new-plan.ts';
import { worklistView } from './views/worklist.ts';

/** The workspace is for practitioners; a patient or next of kin is sent to their own page. */
async function contextFor(session: Session, shell: Shell): Promise<TeamContext> {
  const me = session.fhirUser;
  if (!me.startsWith('Practitioner/') && !me.startsWith('PractitionerRole/')) throw new FhirProblem('not-for-me', 403, undefined, { title: t('team.notForMe.title'), text: t('team.notForMe.text') });
  const ctx: TeamContext = { session, me, main: shell.main, announce: shell.announce, signInAgain: shell.signInAgain };
  void call<fhir4.Practitioner | fhir4.PractitionerRole>(session, me)
    .then(({ body }) => {
      ctx.name = body.resourceType === 'Practitioner' ? personName(body.name) : (body.practitioner?.display ?? me);
      shell.setWho(ctx.name);
    })
    .catch(() => undefined);
  return ctx;
}

const shell = startShell<TeamContext>({
  settings: { clientId: 'samplan-team', scope: TEAM_SCOPE, redirectPath: '/team/' },
  nameKey: 'team.name',
  signInTitle: 'team.signInTitle',
  signInIntro: 'team.signInIntro',
  contextFor,
  whoText: (ctx) => ctx.name ?? '',
  async route(ctx, [what, id, sub], isCurrent) {
    const view = { ...ctx, isCurrent };
    if (what === 'new') return newPlanView(view);
    if (what === 'indicators') return indicatorsView(view);
    if (what === 'plan' && id && sub === 'team') return membersView(view, id);
    if (what === 'plan' && id && sub === 'conflicts') return conflictsView(view, id);
    if (what === 'plan' && id && sub === 'history') return historyView(view, id);
    if (what === 'plan' && id) return editorView(view, id);
    return worklistView(view);
  },
  failure: failureView,
});
watchConnection(shell.announce);
