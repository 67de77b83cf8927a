/** Fresh copies of the JSON fixtures beside this file, optionally with changes. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function load<T>(name: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`./fixtures/${name}.json`, import.meta.url)), 'utf8')) as T;
}

/** The fixture plan; its patient's own measure follows the subject a test gives it (plan rule spl-cp-8). */
export const carePlan = (changes: Partial<fhir4.CarePlan> = {}): fhir4.CarePlan => {
  const plan = { ...load<fhir4.CarePlan>('careplan'), ...changes };
  if (changes.subject && !changes.activity) {
    for (const a of plan.activity ?? []) {
      for (const p of a.detail?.performer ?? []) if (p.reference === 'Patient/tolvan') p.reference = changes.subject.reference;
    }
  }
  return plan;
};
export const careTeam = (changes: Partial<fhir4.CareTeam> = {}): fhir4.CareTeam => ({ ...load<fhir4.CareTeam>('careteam'), ...changes });
export const patient = (changes: Partial<fhir4.Patient> = {}): fhir4.Patient => ({ ...load<fhir4.Patient>('patient'), ...changes });
