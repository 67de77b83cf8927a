/**
 * The patient's agreement on a version that came from elsewhere (src/plans
 * keeps it for local writes). An agreement stays current only while the
 * agreed content (measures, goals, contacts: src/plans/agreed-content.ts) is
 * what it was given to. Its stored digest cannot be recomputed here — it was
 * taken over another instance's references — so the content is compared
 * between versions instead, all in the server's form:
 *
 * the agreement on `result` is current only if some version it may come from
 * carries the same agreement, current, over the same agreed content. This
 * instance's versions (the shared base, the local one) count; the server's
 * only when its agreement is a new one (given on another instance with
 * $agree) — a server version that changed the measures but kept the old
 * agreement was written by something that does not know agreements.
 */
import { agreedContent, agreementOf, canonicalJson, contentDigest, withAgreement, type Agreement } from '../plans/index.ts';

export interface AgreementSource {
  version: fhir4.Resource | undefined;
  /** Whether its agreement was kept consistent with its content by samplan. */
  trusted: boolean;
}

const sameAgreement = (x: Agreement | undefined, y: Agreement | undefined): boolean =>
  !!x && !!y && x.agreedVersion === y.agreedVersion && x.agreedAt === y.agreedAt && x.provenance.reference === y.provenance.reference;

// Key order aside: the server may hand back what it stores with its keys in another order.
const agreed = (r: fhir4.Resource): string => canonicalJson(agreedContent(r as fhir4.CarePlan));

export function reconcileAgreement<T extends fhir4.Resource>(result: T, sources: AgreementSource[]): T {
  if (result.resourceType !== 'CarePlan') return result;
  const plan = result as unknown as fhir4.CarePlan;
  const a = agreementOf(plan);
  if (a?.status !== 'current') return result;
  const holds = sources.some(({ version, trusted }) => {
    if (!trusted || version?.resourceType !== 'CarePlan') return false;
    const theirs = agreementOf(version as fhir4.CarePlan);
    return theirs?.status === 'current' && sameAgreement(theirs, a) && agreed(version) === agreed(plan);
  });
  return holds ? result : (withAgreement(plan, { ...a, status: 'stale' }) as unknown as T);
}

/** Whether the server's version carries an agreement other than the shared base's: given elsewhere with $agree. */
export function renewedThere(remote: fhir4.Resource, base: fhir4.Resource | undefined): boolean {
  if (remote.resourceType !== 'CarePlan') return false;
  const there = agreementOf(remote as fhir4.CarePlan);
  const before = base ? agreementOf(base as fhir4.CarePlan) : undefined;
  return !!there && !sameAgreement(there, before);
}

/**
 * A current agreement's digest taken again over this instance's form of the
 * plan (its own references): the content is the agreed one (reconcileAgreement
 * said so), and the plan rules compare later local changes with this digest.
 */
export function localDigest<T extends fhir4.Resource>(local: T): T {
  if (local.resourceType !== 'CarePlan') return local;
  const plan = local as unknown as fhir4.CarePlan;
  const a = agreementOf(plan);
  return a?.status === 'current' ? (withAgreement(plan, { ...a, contentDigest: contentDigest(plan) }) as unknown as T) : local;
}
