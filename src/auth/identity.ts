/**
 * Who a practitioner is, as far as access goes: the references that can put
 * them on a care team, and whom they administer. A PractitionerRole counts
 * only when the directory feed (a system client) wrote its current version,
 * it is active and its period covers now: a role the caller wrote about
 * themself grants nothing (issue 9, door 3).
 */
import type { VersionedStore } from '../store/index.ts';
import { CODE_SYSTEM } from '../validation/index.ts';
import { periodCovers } from './membership.ts';
import type { Principal } from './principal.ts';
import { normaliseReference } from './references.ts';

export interface PractitionerIdentity {
  /** References that make them a participant: fhirUser, the organisation claim, the organisation of a trusted role. */
  refs: string[];
  /** The person: fhirUser, and the practitioner of a trusted role (a participant's `member`). */
  person: string[];
  /** The organisation of their trusted PractitionerRole. */
  roleOrg?: string;
  /** The organisation they administer: their trusted role carries the administrator code. */
  adminOf?: string;
}

/** The PractitionerRole behind a `PractitionerRole/…` fhirUser, if the directory feed wrote it and it holds now. */
async function trustedRole(versions: VersionedStore, p: Principal, now: Date): Promise<fhir4.PractitionerRole | undefined> {
  if (!p.fhirUser?.startsWith('PractitionerRole/')) return undefined;
  const doc = await versions.current('PractitionerRole', p.fhirUser.slice('PractitionerRole/'.length));
  if (!doc || doc.deleted || doc.writtenBy !== 'system') return undefined;
  const role = doc.resource as fhir4.PractitionerRole;
  return role.active === false || !periodCovers(role.period, now) ? undefined : role;
}

const isAdministrator = (role: fhir4.PractitionerRole): boolean =>
  (role.code ?? []).some((c) => (c.coding ?? []).some((k) => k.system === CODE_SYSTEM.directoryRole && k.code === 'administrator'));

export async function identityOf(versions: VersionedStore, p: Principal, now: Date): Promise<PractitionerIdentity> {
  if (p.kind !== 'practitioner') return { refs: [], person: [] };
  const role = await trustedRole(versions, p, now);
  const roleOrg = normaliseReference(role?.organization?.reference);
  const defined = (refs: (string | undefined)[]): string[] => [...new Set(refs.map(normaliseReference).filter((r): r is string => r !== undefined))];
  return {
    refs: defined([p.fhirUser, p.organization, roleOrg]),
    person: defined([p.fhirUser, role?.practitioner?.reference]),
    ...(roleOrg ? { roleOrg } : {}),
    ...(role && roleOrg && isAdministrator(role) ? { adminOf: roleOrg } : {}),
  };
}
