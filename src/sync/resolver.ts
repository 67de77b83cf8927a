/** Business identifiers of local records, for rewriting references (references.ts). */
import { findMatching, type ResourceDoc, type VersionedStore } from '../store/index.ts';
import type { ReferenceResolver } from './references.ts';

/** The identifier worth sharing: an official one if marked, else the first with system and value. */
function shareable(ids: fhir4.Identifier[] | undefined): fhir4.Identifier | undefined {
  const usable = (ids ?? []).filter((i) => i.system && i.value);
  const pick = usable.find((i) => i.use === 'official') ?? usable[0];
  return pick ? { system: pick.system!, value: pick.value! } : undefined;
}

export function storeResolver(versions: VersionedStore): ReferenceResolver {
  const served = new Set(versions.models.types);
  return {
    async identifierOf(type, id) {
      if (!served.has(type)) return undefined;
      const doc = await versions.models.resources(type).findById(id, { resource: 1, deleted: 1 }).lean<{ resource: { identifier?: fhir4.Identifier[] } | null; deleted: boolean }>();
      return doc && !doc.deleted ? shareable(doc.resource?.identifier) : undefined;
    },
    async findByIdentifier(type, identifier) {
      if (!served.has(type)) return undefined;
      const { docs } = await findMatching<ResourceDoc>(versions, type, 'resources', { deleted: false, 'sp.identifier': `${identifier.system}|${identifier.value}` });
      return docs.length === 1 ? docs[0]!._id : undefined;
    },
  };
}
