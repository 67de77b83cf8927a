/**
 * Naming the people in a plan's records (who read it, who wrote a version):
 * from the plan's care team where they are on it (their role in this plan),
 * else from the directory. One read per person, however often they appear.
 */
import { call, shortRef, type Session } from './fhir.ts';
import { t } from './i18n.ts';
import { roleText, teamRoleOf } from './plan-data.ts';
import { nameOf, personName } from './words.ts';

export interface Person {
  name: string;
  /** Their role and organisation, or what they are to the patient; empty when unknown. */
  detail: string;
}

type Named = fhir4.Practitioner | fhir4.RelatedPerson | fhir4.Patient;

export async function peopleNamed(session: Session, teams: fhir4.CareTeam[], refs: readonly string[]): Promise<Map<string, Person>> {
  const out = new Map<string, Person>();
  await Promise.all(
    [...new Set(refs)].map(async (ref) => {
      const short = shortRef(ref);
      const inTeam = teamRoleOf(teams, short);
      try {
        if (short.startsWith('PractitionerRole/')) {
          const role = (await call<fhir4.PractitionerRole>(session, short)).body;
          const detail = [role.code?.[0]?.text ?? role.code?.[0]?.coding?.[0]?.display, role.organization ? nameOf(role.organization) : undefined].filter(Boolean).join(', ');
          return void out.set(ref, { name: role.practitioner ? nameOf(role.practitioner) : t('unknown'), detail });
        }
        const person = (await call<Named>(session, short)).body;
        const detail = inTeam ? roleText(inTeam) : person.resourceType === 'RelatedPerson' ? t('readBy.kin') : person.resourceType === 'Patient' ? t('people.patient') : '';
        out.set(ref, { name: personName(person.name) || short, detail });
      } catch {
        // No longer in the directory (or not readable): still say that someone did it.
        out.set(ref, { name: inTeam ? short : t('readBy.someone'), detail: inTeam ? inTeam.roles.join(', ') : '' });
      }
    }),
  );
  return out;
}
