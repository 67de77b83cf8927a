/** What every view of the care team's workspace gets: the session, who is working, their teams' organisations. */
import type { Session } from '../shared/fhir.ts';
import type { ViewContext } from '../shared/states.ts';

export interface TeamContext extends ViewContext {
  session: Session;
  /** `Practitioner/x` or `PractitionerRole/x`. */
  me: string;
  name?: string;
  announce(message: string): void;
  signInAgain(): void;
}

/**
 * The scopes the workspace asks for: the plans, teams and goals a practitioner
 * shares, the directory, and the indicators (granted by the access rules only
 * to an administrative role; for anyone else the page says so).
 */
export const TEAM_SCOPE = [
  'openid',
  'fhirUser',
  'user/CarePlan.cruds',
  'user/CareTeam.cruds',
  'user/Goal.cruds',
  'user/Patient.rs',
  'user/RelatedPerson.rs',
  'user/Practitioner.rs',
  'user/PractitionerRole.rs',
  'user/Organization.rs',
  'user/Provenance.rs',
  'user/Measure.rs',
].join(' ');
