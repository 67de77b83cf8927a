/**
 * One plan, one patient (issue 9, door 2): a CarePlan, the CareTeams it
 * names and the Goals it addresses are about the same patient, and none of
 * them moves to another patient. A plan filed under another patient's team
 * would show that team to the wrong person and let the team's members into
 * the wrong record; a plan moved by editing `subject` would show its older
 * versions to the new patient. A plan made for the wrong patient is marked
 * `entered-in-error` and a new one is made for the right one
 * (https://hl7.org/fhir/R4/careplan-definitions.html#CarePlan.status).
 *
 * Checked for every caller, system clients included, on the records as they
 * will be after the request (a team written in the same transaction counts
 * in its new form). A team or goal the caller cannot see is not judged here:
 * it cannot be shown to them either, and saying it is someone else's would
 * leak that it exists.
 */
import { FhirError, type Issue } from '../errors.ts';
import type { GuardedWrite } from '../store/index.ts';
import { localReference, readLocal, type Pending, type RelatedReader } from './care-team-check.ts';

type Subjected = fhir4.CarePlan | fhir4.CareTeam | fhir4.Goal;
const SUBJECTED = new Set(['CarePlan', 'CareTeam', 'Goal']);

const subjectOf = (r: Subjected | undefined | null, base: string): string | undefined => {
  const ref = r?.subject?.reference;
  return localReference(ref, base) ?? ref;
};

/**
 * Do two subjects name different patients? Only said when both are local
 * references (`Patient/…` here) or both are the same kind of outside
 * reference: a subject that sync brought in as another server's reference and
 * a local one may be the same person, and the sync rules resolve that.
 */
function differ(a: fhir4.Reference | undefined, b: fhir4.Reference | undefined, base: string): boolean {
  const la = localReference(a?.reference, base);
  const lb = localReference(b?.reference, base);
  if (la !== undefined || lb !== undefined) return la !== undefined && lb !== undefined && la !== lb;
  if (a?.reference !== undefined && b?.reference !== undefined) return a.reference !== b.reference;
  const id = (r: fhir4.Reference | undefined): string | undefined => (r?.identifier?.value ? `${r.identifier.system ?? ''}|${r.identifier.value}` : undefined);
  return id(a) !== undefined && id(b) !== undefined && id(a) !== id(b);
}

function issue(diagnostics: string, expression: string): Issue {
  return { severity: 'error', code: 'business-rule', diagnostics, expression: [expression] };
}

/** The problems with one write; empty when it keeps to one patient. */
async function problemsOf(w: GuardedWrite, reader: RelatedReader, pending: Pending, base: string): Promise<Issue[]> {
  const next = w.resource as Subjected | null;
  if (!next || !SUBJECTED.has(w.type)) return [];
  const subject = subjectOf(next, base);
  const stored = w.current && !w.current.deleted ? (w.current.resource as Subjected) : undefined;
  if (stored && differ(stored.subject, next.subject, base)) {
    return [issue(`A ${w.type} cannot move to another patient; mark this one entered-in-error and make a new ${w.type} for the right patient`, `${w.type}.subject`)];
  }
  if (w.type !== 'CarePlan') return [];
  const plan = next as fhir4.CarePlan;
  const out: Issue[] = [];
  const judge = async (refs: (fhir4.Reference | undefined)[], type: 'CareTeam' | 'Goal', element: string): Promise<void> => {
    for (const [i, r] of refs.entries()) {
      const ref = localReference(r?.reference, base);
      if (!ref?.startsWith(`${type}/`)) continue;
      const other = (await readLocal(ref, reader, pending)) as Subjected | undefined;
      if (other?.resourceType === type && differ(other.subject, plan.subject, base)) {
        out.push(issue(`${ref} is about another patient than the plan (${subject ?? 'no subject'}): a plan's ${type === 'CareTeam' ? 'care teams' : 'goals'} are about the plan's own patient`, `CarePlan.${element}[${i}]`));
      }
    }
  };
  await judge(plan.careTeam ?? [], 'CareTeam', 'careTeam');
  await judge(plan.goal ?? [], 'Goal', 'goal');
  return out;
}

/** Throws FhirError 422 (business-rule) when a write would mix patients; `annotate` adds which write. */
export async function assertSamePatient(writes: GuardedWrite[], reader: RelatedReader, pending: Pending, base: string, annotate?: (err: FhirError, index: number) => void): Promise<void> {
  for (const [i, w] of writes.entries()) {
    const issues = await problemsOf(w, reader, pending, base);
    if (issues.length === 0) continue;
    const err = new FhirError('unprocessable', issues);
    annotate?.(err, i);
    throw err;
  }
}
