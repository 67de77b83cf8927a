/**
 * What a patient may change themselves: the progress of the activities in
 * their own plan where they are the performer ("what the person does
 * themself", DESIGN.md) — detail.status, detail.statusReason and progress.
 * Everything else must be identical to the current version.
 */
import type { Principal } from './principal.ts';
import { normaliseReference } from './references.ts';

const meta = (r: fhir4.FhirResource): Omit<fhir4.FhirResource, 'meta'> => {
  const { meta: _m, ...rest } = r as fhir4.FhirResource & { meta?: unknown };
  return rest;
};

export function patientMayChange(p: Principal, type: string, current: fhir4.FhirResource | null, next: fhir4.FhirResource | null): boolean {
  const me = normaliseReference(p.fhirUser);
  if (type !== 'CarePlan' || !current || !next || !me) return false;
  const before = current as fhir4.CarePlan;
  const after = next as fhir4.CarePlan;
  if (normaliseReference(before.subject?.reference) !== me) return false;
  if ((before.activity?.length ?? 0) !== (after.activity?.length ?? 0)) return false;
  // The comparable part of a plan: everything but meta and the progress of the patient's own activities.
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

/** JSON with object keys sorted, so that key order (storage vs. client) does not count as a change. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
