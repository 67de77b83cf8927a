/**
 * Who can sign in at the development provider: the Patients, RelatedPersons,
 * Practitioners and PractitionerRoles in the database, read through the store
 * as a service principal (so the read is audited like any other) rather than
 * around it.
 */
import { randomUUID } from 'node:crypto';
import type { FhirServices } from '../../fhir/types.ts';
import { parseSearch } from '../../store/index.ts';
import { servicePrincipal, type CallContext } from '../principal.ts';

export const SIGN_IN_TYPES = ['Patient', 'RelatedPerson', 'Practitioner', 'PractitionerRole'] as const;
export type SignInType = (typeof SIGN_IN_TYPES)[number];

export interface Person {
  /** `Patient/p1`: the fhirUser and the account id. */
  ref: string;
  type: SignInType;
  label: string;
}

/** How many of each type the page lists; this is a development tool, not a directory browser. */
const PAGE = 100;

function humanName(names: fhir4.HumanName[] | undefined): string | undefined {
  const n = names?.[0];
  if (!n) return undefined;
  const text = n.text ?? [...(n.given ?? []), n.family ?? ''].join(' ').trim();
  return text || undefined;
}

function labelOf(r: fhir4.FhirResource): string | undefined {
  switch (r.resourceType) {
    case 'Patient':
    case 'Practitioner':
      return humanName(r.name);
    case 'RelatedPerson': {
      const name = humanName(r.name);
      const of = r.patient?.reference;
      return name ? `${name}${of ? ` (next of kin of ${of})` : ''}` : undefined;
    }
    case 'PractitionerRole':
      return [r.practitioner?.display ?? r.practitioner?.reference, r.organization?.display ?? r.organization?.reference].filter(Boolean).join(' at ') || undefined;
    default:
      return undefined;
  }
}

function context(baseUrl: string): CallContext {
  return { principal: servicePrincipal('dev-idp'), requestId: randomUUID(), baseUrl };
}

export async function listPeople(services: FhirServices, baseUrl: string): Promise<Person[]> {
  const out: Person[] = [];
  for (const type of SIGN_IN_TYPES) {
    const q = parseSearch(type, [['_count', String(PAGE)]], true);
    const { docs } = await services.store.search(context(baseUrl), type, q, `_count=${PAGE}`);
    for (const d of docs) {
      if (d.deleted) continue;
      const r = d.resource as fhir4.FhirResource;
      out.push({ ref: `${type}/${d._id}`, type, label: labelOf(r) ?? `${type}/${d._id}` });
    }
  }
  return out;
}

/** Is `ref` a current record of a type that may sign in? (The login form's choice is checked, not trusted.) */
export async function isPerson(services: FhirServices, baseUrl: string, ref: string): Promise<boolean> {
  const [type, id] = ref.split('/');
  if (!type || !id || !(SIGN_IN_TYPES as readonly string[]).includes(type)) return false;
  try {
    await services.store.read(context(baseUrl), type, id);
    return true;
  } catch {
    return false;
  }
}
