/** Data for the plan-rule tests over HTTP. */
import { readFileSync } from 'node:fs';
import type { TestServer } from '../support/server.ts';

export interface LoadedPlan {
  planId: string;
  patientRef: string;
  goalIds: string[];
}

/** Loads the Skåne patientkontrakt example (one transaction) and says which plan, patient and goals it made. */
export async function loadPatientkontrakt(s: TestServer): Promise<LoadedPlan> {
  const bundle = JSON.parse(readFileSync(new URL('../../fhir-examples/patientkontrakt-skane.bundle.json', import.meta.url), 'utf8')) as fhir4.Bundle;
  const res = (await (await s.request('/fhir', { method: 'POST', json: bundle })).json()) as fhir4.Bundle;
  const plan = res.entry!.map((e) => e.resource!).find((r) => r.resourceType === 'CarePlan') as fhir4.CarePlan;
  return { planId: plan.id!, patientRef: plan.subject.reference!, goalIds: plan.goal!.map((g) => g.reference!.split('/')[1]!) };
}
