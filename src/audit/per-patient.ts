/**
 * An access that touched several patients' records (a practitioner's search,
 * a transaction) is recorded as one AuditEvent per patient, each naming only
 * that patient and their own records, as IHE Basic Audit Log Patterns does
 * for queries (https://profiles.ihe.net/ITI/BALP/).
 * A patient reading who read their plan then never sees who else was read
 * along with it (issue 9). The query is kept only where it names none of the
 * other patients; the events of one access share the request's time and agent.
 */
import type { AccessRecord } from '../store/index.ts';

const idOf = (patient: string): string => patient.slice(patient.indexOf('/') + 1);

function namesAny(query: string, patients: string[]): boolean {
  let text = query;
  try {
    text = decodeURIComponent(query.replace(/\+/g, ' '));
  } catch {
    // a query that does not decode is judged as written
  }
  return patients.some((p) => text.includes(idOf(p)));
}

export function perPatient(entry: AccessRecord): AccessRecord[] {
  if (entry.patients.length <= 1) return [entry];
  const about = entry.entityPatients ?? {};
  return entry.patients.map((patient) => {
    const others = entry.patients.filter((p) => p !== patient);
    const entities = entry.entities.filter((e) => {
      const of = about[e] ?? [];
      return of.length === 0 || of.includes(patient);
    });
    const { query, entityPatients: _all, ...rest } = entry;
    return {
      ...rest,
      entities,
      patients: [patient],
      ...(query !== undefined && !namesAny(query, others) ? { query } : {}),
      ...(query !== undefined && namesAny(query, others) ? { detail: `${rest.detail ? `${rest.detail}; ` : ''}query withheld from this patient's record: it names other patients` } : {}),
    };
  });
}
