/**
 * POST CarePlan/{id}/$agree — the patient's agreement to the plan as it is now
 * (profiles/OperationDefinition-careplan-agree.json). Records a Provenance on
 * the plan version and the agreement on the plan, in one all-or-nothing write.
 * A patient agrees for themself; next of kin (a RelatedPerson), a practitioner
 * or a system records an agreement on the patient's behalf and must give a
 * reason. Next of kin are always the agent themselves: they cannot record
 * that someone else agreed.
 */
import { randomUUID } from 'node:crypto';
import { fail } from '../../errors.ts';
import { agree, goalsMovedSince, goalsOfPlan, markStaleAsService, type PinnedGoal } from '../../plans/index.ts';
import { assertValid } from '../../validation/index.ts';
import { resourceResponse } from '../responses.ts';
import type { FhirRequest, FhirResponse, FhirServices, InstanceOperation } from '../types.ts';
import { serviceContext } from '../write-pipeline.ts';

function parameters(body: unknown): fhir4.ParametersParameter[] {
  if (body === undefined) return [];
  const p = body as fhir4.Parameters;
  if (p?.resourceType !== 'Parameters') fail('invalid', '$agree takes a Parameters resource (or no body)', { expression: 'resourceType' });
  return p.parameter ?? [];
}

export const agreeOperation: InstanceOperation = async (req: FhirRequest, _type: string, id: string, svc: FhirServices): Promise<FhirResponse> => {
  const params = parameters(req.body);
  const get = (name: string): fhir4.ParametersParameter | undefined => params.find((p) => p.name === name);
  const { principal } = req.ctx;
  let agent = get('agent')?.valueReference;
  if (principal.kind === 'patient') {
    if (agent?.reference && agent.reference !== principal.fhirUser) fail('forbidden', 'A patient can only record their own agreement');
    agent = { reference: principal.fhirUser };
  } else if (principal.kind === 'relatedPerson') {
    if (agent?.reference && agent.reference !== principal.fhirUser) fail('forbidden', 'Next of kin can only record an agreement they make themselves');
    agent = { reference: principal.fhirUser };
  } else if (!agent && principal.fhirUser) {
    agent = { reference: principal.fhirUser };
  }
  if (!agent) fail('invalid', "Who agreed? Give the 'agent' parameter (the patient, or who acts on their behalf)", { code: 'required', expression: "Parameters.parameter.where(name = 'agent')" });
  const reason = get('reason')?.valueString;
  const versionId = get('versionId')?.valueId ?? get('versionId')?.valueString;

  const service = serviceContext(req);
  let pins: PinnedGoal[] = [];
  const docs = await svc.store.operation(req.ctx, '$agree', 'CarePlan', id, async (current) => {
    const stored = current.resource as fhir4.CarePlan;
    pins = await goalsOfPlan(svc.store, service, stored);
    const result = agree({ plan: stored, agent, ...(reason ? { reason } : {}), ...(versionId ? { versionId } : {}), provenanceId: randomUUID(), goals: pins });
    // The agreement is the server's own: validate the result, but do not run it through
    // agreementAfterChange, which keeps a client from bringing an agreement of its own.
    assertValid(result.plan);
    const plan = result.plan;
    return [
      { type: 'Provenance', id: result.provenance.id!, resource: result.provenance, expect: 0, current: null },
      { type: 'CarePlan', id, resource: plan, expect: current.versionId, current },
    ];
  });
  // A goal may have changed after it was read above and before the agreement was stored, unseen by
  // that goal write (it looked for plans to mark before this agreement existed): look again now
  // (src/plans/agreement-goals.ts). Then the agreement stays recorded — the patient did agree to
  // what they saw, and the Provenance says which versions that was — but stale, like any agreement
  // a goal change overtook; and the caller hears 409. Not retried: agreeing again on the patient's
  // behalf would record agreement to goal content the patient was never shown.
  const moved = await goalsMovedSince(svc.store, service, pins);
  if (moved.length > 0) {
    await markStaleAsService(svc.store, service, id, `Provenance/${docs[0]!.id}`);
    fail('conflict', `${moved.map((g) => `Goal/${g}`).join(', ')} changed while the agreement was being recorded; the agreement is recorded but stale. Show the patient the plan as it is now and agree again.`, { code: 'conflict' });
  }
  return resourceResponse(req.ctx.baseUrl, docs[1]!, 200);
};
