/**
 * References on the way to and from the server, so that they resolve there
 * and, coming back, here (issue 4: "rewrite references so they resolve on the
 * server").
 *
 * Plans, teams and goals keep their ids everywhere (sync pushes with the
 * client's id), so `CarePlan/x`, `CareTeam/y`, `Goal/z` resolve on the server
 * and on every other instance as they are. Everything else a plan points at —
 * the Patient, Practitioners, Organizations — lives in each instance's own
 * records under its own ids. Outbound such a reference becomes an absolute
 * URL of this instance, with the target's business identifier added
 * (personnummer, HSA-id, HPR-nummer …: https://hl7.org/fhir/R4/references.html#logical).
 * Inbound, a reference to this instance becomes relative again, and one to
 * another instance is resolved to the local record with the same identifier
 * when there is one. Version-specific references to synced resources
 * (e.g. the agreed plan version) name a version of the instance that made
 * them, so they also go out absolute.
 */
import { SYNCED_TYPES } from '../store/models.ts';

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const ABSOLUTE = /^(https?:\/\/.+)\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

export interface ReferenceResolver {
  /** The business identifier of a local resource, if it has one worth sharing. */
  identifierOf(type: string, id: string): Promise<fhir4.Identifier | undefined>;
  /** The id of the local resource of `type` with this identifier, if there is exactly one. */
  findByIdentifier(type: string, identifier: fhir4.Identifier): Promise<string | undefined>;
}

type Json = unknown;

/** Every Reference-shaped object in a resource (an object with a string `reference`). */
function referencesIn(node: Json, out: fhir4.Reference[] = []): fhir4.Reference[] {
  if (Array.isArray(node)) for (const n of node) referencesIn(n, out);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, Json>;
    if (typeof o.reference === 'string') out.push(o as fhir4.Reference);
    for (const [k, v] of Object.entries(o)) if (k !== 'contained') referencesIn(v, out);
  }
  return out;
}

/** A deep copy of `resource` with its references as the server should see them. */
export async function toServerForm<T extends fhir4.Resource>(resource: T, localBase: string, resolver: ReferenceResolver): Promise<T> {
  const copy = structuredClone(resource);
  for (const ref of referencesIn(copy)) {
    const m = RELATIVE.exec(ref.reference!);
    if (!m) continue;
    const [, type, id, version] = m as unknown as [string, string, string, string | undefined];
    if (SYNCED_TYPES.has(type) && !version) continue;
    ref.reference = `${localBase}/${type}/${id}${version ?? ''}`;
    if (!ref.identifier && !SYNCED_TYPES.has(type)) {
      const identifier = await resolver.identifierOf(type, id);
      if (identifier) ref.identifier = identifier;
    }
  }
  return copy;
}

/** A deep copy of a resource from the server with its references resolved here where possible. */
export async function toLocalForm<T extends fhir4.Resource>(resource: T, localBase: string, resolver: ReferenceResolver): Promise<T> {
  const copy = structuredClone(resource);
  for (const ref of referencesIn(copy)) {
    const m = ABSOLUTE.exec(ref.reference!);
    if (!m) continue;
    const [, base, type, id, version] = m as unknown as [string, string, string, string, string | undefined];
    if (base === localBase) {
      ref.reference = `${type}/${id}${version ?? ''}`;
      // Drop the identifier toServerForm added: the local reference says it all.
      const added = SYNCED_TYPES.has(type) ? undefined : await resolver.identifierOf(type, id);
      if (added && ref.identifier?.system === added.system && ref.identifier?.value === added.value) delete ref.identifier;
      continue;
    }
    if (ref.identifier?.system && ref.identifier.value && !version) {
      const local = await resolver.findByIdentifier(type, ref.identifier);
      if (local) ref.reference = `${type}/${local}`;
    }
  }
  return copy;
}
