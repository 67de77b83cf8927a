/**
 * What a patient may change themselves: the progress of the activities in
 * their own plan where they are the performer ("what the person does
 * themself", DESIGN.md) — detail.status, detail.statusReason and progress.
 * Everything else must be identical to the current version, `meta` included
 * but for the parts the server sets.
 */
import type { Principal } from './principal.ts';
import { canonicalJson as canonical } from '../canonical-json.ts';
import { normaliseReference } from './references.ts';

/**
 * The plan without the parts of `meta` the server sets on every version
 * (versionId, lastUpdated). Tags, security labels, source and profiles stay:
 * a patient may not change them (issue 9).
 */
const meta = (r: fhir4.FhirResource): fhir4.FhirResource => {
  const { versionId: _v, lastUpdated: _l, ...rest } = r.meta ?? {};
  const { meta: _m, ...body } = r;
  return (Object.keys(rest).length > 0 ? { ...body, meta: rest } : body) as fhir4.FhirResource;
};

export function patientMayChange(p: Principal, type: string, current: fhir4.FhirResource | null, next: fhir4.FhirResource | null): boolean {
  const me = normaliseReference(p.fhirUser);
  if (type !== 'CarePlan' || !current || !next || !me) return false;
  const before = current as fhir4.CarePlan;
  const after = next as fhir4.CarePlan;
  if (normaliseReference(before.subject?.reference) !== me) return false;
  if ((before.activity?.length ?? 0) !== (after.activity?.length ?? 0)) return false;
  // The comparable part of a plan: everything but the server's meta and the progress of the patient's own activities.
  const strip = (plan: fhir4.CarePlan, own: boolean[]): unknown => ({
      ...meta({ ...plan, activity: undefined }),
      activity: plan.activity?.map((a, i): unknown => {
        if (!own[i]) return a;
        const { progress: _p, ...rest } = a;
        const { status: _s, statusReason: _r, ...detail } = a.detail ?? {};
        return { ...rest, ...(a.detail ? { detail } : {}) };
      }),
    });
  const own = (before.activity ?? []).map((a) => (a.detail?.performer ?? []).some((r) => normaliseReference(r.reference) === me));
  return canonical(strip(before, own)) === canonical(strip(after, own));
}
