/**
 * A plan with what a reader needs beside it, in one search: the plan, its care
 * teams and its goals (`_include`), and the version to send back in If-Match.
 * And the plan and goals as they were at an earlier moment, for "what changed
 * since you agreed".
 */
import { normaliseReference, sameReference } from '../../auth/references.ts';
import { call, FhirProblem, resourcesOf, type Session } from './fhir.ts';

export interface PlanData {
  plan: fhir4.CarePlan;
  /** `W/"3"`: the version this page shows, for If-Match. */
  etag: string;
  teams: fhir4.CareTeam[];
  goals: Map<string, fhir4.Goal>;
}

export async function loadPlan(s: Session, id: string): Promise<PlanData> {
  const { body } = await call<fhir4.Bundle>(s, `CarePlan?_id=${encodeURIComponent(id)}&_include=CarePlan:care-team&_include=CarePlan:goal`);
  const plan = resourcesOf<fhir4.CarePlan>(body, 'CarePlan')[0];
  if (!plan) throw new FhirProblem('not-found', 404);
  const goals = new Map(resourcesOf<fhir4.Goal>(body, 'Goal').map((g) => [`Goal/${g.id}`, g]));
  return { plan, etag: `W/"${plan.meta?.versionId ?? ''}"`, teams: resourcesOf<fhir4.CareTeam>(body, 'CareTeam'), goals };
}

export async function loadVersion(s: Session, id: string, versionId: string): Promise<fhir4.CarePlan> {
  return (await call<fhir4.CarePlan>(s, `CarePlan/${encodeURIComponent(id)}/_history/${encodeURIComponent(versionId)}`)).body;
}

/** Each goal as it was at `at` (the newest version recorded then), from its history; goals made later are left out. */
export async function goalsAt(s: Session, refs: string[], at: string): Promise<Map<string, fhir4.Goal>> {
  const out = new Map<string, fhir4.Goal>();
  const when = Date.parse(at);
  await Promise.all(
    refs.map(async (ref) => {
      const { body } = await call<fhir4.Bundle>(s, `${ref}/_history?_count=100`);
      const then = (body.entry ?? [])
        .map((e) => e.resource as fhir4.Goal | undefined)
        .filter((g): g is fhir4.Goal => !!g && Date.parse(g.meta?.lastUpdated ?? '') <= when)
        .sort((a, b) => Date.parse(b.meta?.lastUpdated ?? '') - Date.parse(a.meta?.lastUpdated ?? ''))[0];
      if (then) out.set(ref, then);
    }),
  );
  return out;
}

export function goalRefs(...plans: fhir4.CarePlan[]): string[] {
  return [...new Set(plans.flatMap((p) => (p.goal ?? []).flatMap((g) => normaliseReference(g.reference) ?? [])))];
}

export interface TeamRole {
  /** The role in the team in the care team's words (e.g. "Fast vårdkontakt"). */
  roles: string[];
  organisation?: fhir4.Reference;
}

/** "Fast vårdkontakt, Vårdcentralen Testhamn": the roles and the organisation, in the care team's words. */
export function roleText(r: TeamRole): string {
  return [...r.roles, r.organisation?.display ?? ''].filter(Boolean).join(', ');
}

/** How `ref` takes part in the plan's teams: their roles and on whose behalf. */
export function teamRoleOf(teams: fhir4.CareTeam[], ref: string | undefined): TeamRole | undefined {
  for (const team of teams) {
    const p = (team.participant ?? []).find((x) => sameReference(x.member?.reference, ref));
    if (p) {
      const roles = (p.role ?? []).map((r) => r.text ?? r.coding?.[0]?.display ?? '').filter(Boolean);
      return { roles, ...(p.onBehalfOf ? { organisation: p.onBehalfOf } : {}) };
    }
  }
  return undefined;
}

/** A reference with its name: references the server writes (an agreement's agreedBy) carry none, the plan and its teams do. */
export function named(ref: fhir4.Reference | undefined, plan: fhir4.CarePlan, teams: fhir4.CareTeam[]): fhir4.Reference | undefined {
  if (!ref || ref.display) return ref;
  if (sameReference(ref.reference, plan.subject.reference)) return { ...ref, ...(plan.subject.display ? { display: plan.subject.display } : {}) };
  const member = teams.flatMap((t) => t.participant ?? []).find((p) => sameReference(p.member?.reference, ref.reference))?.member;
  return member?.display ? { ...ref, display: member.display } : ref;
}
