/** What every view of the patient app gets: the session, who is reading, and the page's regions. */
import type { Session } from '../shared/fhir.ts';

export interface AppContext {
  session: Session;
  /** `Patient/p1` or `RelatedPerson/r1`. */
  me: string;
  /** The patient whose plans these are, when known (a patient's own reference; next of kin: their RelatedPerson.patient). */
  patient?: string;
  /** Signed in as next of kin (acting for the patient), not as the patient. */
  kin: boolean;
  /** The person's own name, for the header. */
  name?: string;
  /** The patient's name, as next of kin see it in the plans' heading. */
  patientName?: string;
  main: HTMLElement;
  /** Says something to screen readers (the live region) without moving focus. */
  announce(message: string): void;
  /** Starts a new sign-in (an expired session), coming back to where the person is. */
  signInAgain(): void;
  /** False once the person went elsewhere or signed out: a view that finished loading then draws nothing. */
  isCurrent?(): boolean;
}

/** The scopes the patient app asks for: read their compartment, record progress, agree. */
export const APP_SCOPE = [
  'openid',
  'fhirUser',
  'launch/patient',
  'patient/CarePlan.rus',
  'patient/CareTeam.rs',
  'patient/Goal.rs',
  'patient/Patient.rs',
  'patient/RelatedPerson.rs',
  'patient/Practitioner.rs',
  'patient/PractitionerRole.rs',
  'patient/Organization.rs',
  'patient/Provenance.rs',
  'patient/AuditEvent.rs',
  '__samplan.agree',
].join(' ');
