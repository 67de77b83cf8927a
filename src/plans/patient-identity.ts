/**
 * One person, one Patient record (issue 9, door 3): a national identity
 * number (personnummer, samordningsnummer, fødselsnummer, D-nummer) is
 * unique among active Patient records. A second record with someone's
 * personnummer would collect plans and contacts that belong to them, or show
 * theirs to whoever the second record is for.
 *
 * Judged as samplan itself over all Patient records (the caller is a system
 * client; Patients are written by the directory feed), and among the
 * Patients of one transaction.
 */
import type { CallContext } from '../auth/principal.ts';
import { FhirError } from '../errors.ts';
import { parseSearch, type GuardedWrite, type Store } from '../store/index.ts';
import { IDENTIFIER_SYSTEM as SYSTEM } from '../validation/index.ts';

const NATIONAL_IDS: ReadonlySet<string> = new Set([SYSTEM.personnummer, SYSTEM.samordningsnummer, SYSTEM.fodselsnummer, SYSTEM.dNummer]);

const isActive = (p: fhir4.Patient): boolean => p.active !== false;

function nationalIds(p: fhir4.Patient): string[] {
  return (p.identifier ?? []).flatMap((i) => (i.system && i.value && NATIONAL_IDS.has(i.system) ? [`${i.system}|${i.value}`] : []));
}

function refuse(token: string, index: number, annotate?: (err: FhirError, index: number) => void): never {
  const [system] = token.split('|');
  const err = new FhirError('unprocessable', {
    code: 'duplicate',
    diagnostics: `Another active Patient record already has this ${system} identifier: a person has one Patient record (mark the other inactive first, or update it)`,
    expression: 'Patient.identifier',
  });
  annotate?.(err, index);
  throw err;
}

export async function assertUniquePatientIdentifiers(writes: GuardedWrite[], store: Store, service: CallContext, annotate?: (err: FhirError, index: number) => void): Promise<void> {
  const claimed = new Map<string, string>(); // identifier → Patient id, within this request
  const patients = writes.flatMap((w, i) => (w.type === 'Patient' && w.resource && isActive(w.resource as fhir4.Patient) ? [{ w, i, p: w.resource as fhir4.Patient }] : []));
  for (const { w, i, p } of patients) {
    for (const token of nationalIds(p)) {
      if ((claimed.get(token) ?? w.id) !== w.id) refuse(token, i, annotate);
      claimed.set(token, w.id);
      const params: [string, string][] = [['identifier', token], ['_count', '10'], ['_total', 'none']];
      const found = await store.search(service, 'Patient', parseSearch('Patient', params, false), new URLSearchParams(params).toString());
      const others = found.docs.filter((d) => d.id !== w.id && d.resource && isActive(d.resource as fhir4.Patient));
      // A record changed in this same request counts as it will be.
      if (others.some((d) => !writes.some((x) => x.type === 'Patient' && x.id === d.id))) refuse(token, i, annotate);
    }
  }
}
