/**
 * The one path from "the caller wants this resource to become X" to a stored
 * version: read the current version, build the next one, validate it and apply
 * plan rules, then one conditional write on the version that was read. When
 * someone else wrote in between and the caller did not pin a version with
 * If-Match, the whole step is redone on the newer version — the caller's
 * change is never applied to a version it was not checked against.
 */
import { FhirError, fail } from '../errors.ts';
import type { AccessAction, GuardedWrite, StoredVersion } from '../store/index.ts';
import type { FhirServices, FhirRequest } from './types.ts';

/** Without If-Match, n concurrent writers may need n tries; past this many the caller gets the 412. */
const RETRIES = 12;

export interface WriteIntent {
  type: string;
  id: string;
  action: AccessAction;
  /** Version the caller requires (If-Match); undefined: any. */
  ifMatch?: number;
  /** The next body from the current document (null: none); return null to delete. */
  build(current: StoredVersion | null): fhir4.FhirResource | null | Promise<fhir4.FhirResource | null>;
}

/** Reads, builds and checks one write without storing it. */
export async function prepareWrite(req: FhirRequest, svc: FhirServices, intent: WriteIntent): Promise<GuardedWrite> {
  const { type, id } = intent;
  const current = await svc.store.currentForWrite(req.ctx, type, id);
  if (intent.ifMatch !== undefined && current?.versionId !== intent.ifMatch) {
    throw new FhirError('precondition-failed', {
      code: 'conflict',
      diagnostics: `If-Match W/"${intent.ifMatch}" does not match: ${current ? `${type}/${id} is at version ${current.versionId}` : `${type}/${id} does not exist`}`,
    });
  }
  const built = await intent.build(current);
  const live = current && !current.deleted ? (current.resource as fhir4.FhirResource) : null;
  const resource = built ? await svc.checks.beforeWrite(req.ctx, live, { ...built, id } as fhir4.FhirResource) : null;
  return { type, id, resource, expect: current?.versionId ?? 0, current };
}

export async function performWrite(req: FhirRequest, svc: FhirServices, intent: WriteIntent): Promise<{ doc: StoredVersion; created: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const w = await prepareWrite(req, svc, intent);
    try {
      const doc = await svc.store.write(req.ctx, intent.action, w);
      return { doc, created: !w.current || w.current.deleted };
    } catch (err) {
      const raced = err instanceof FhirError && err.kind === 'precondition-failed' && intent.ifMatch === undefined;
      if (!raced || attempt >= RETRIES) throw err;
      // Jitter spreads writers that lost the same race, so they do not collide again in lockstep.
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}

/** A delete of something that is not there: https://hl7.org/fhir/R4/http.html#delete */
export function nothingToDelete(type: string, id: string): never {
  fail('not-found', `${type}/${id} is not known`);
}
