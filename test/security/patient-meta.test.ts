/**
 * Issue 9: a patient changes only the progress of their own measures — not
 * the plan's security labels, tags, source or claimed profiles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { json, planFor, teamFor } from './support.ts';

let s: TestServer;
let patient: string;
const P = 'Patient/pm-p';

beforeAll(async () => {
  s = await startTestServer();
  patient = await s.token({ kind: 'patient', fhirUser: P });
  await s.seed(teamFor('pm-team', P, [{ member: { reference: 'Practitioner/pm-nurse' }, onBehalfOf: { reference: 'Organization/pm-org' } }]));
  await s.seed(planFor('pm-plan', P, 'CareTeam/pm-team', { meta: { tag: [{ system: 'urn:x', code: 'keep' }], security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] } }));
});
afterAll(() => s?.close());

const current = async (): Promise<fhir4.CarePlan> => json<fhir4.CarePlan>(await s.request('/fhir/CarePlan/pm-plan'));

describe("a patient and their plan's meta", () => {
  it.each([
    ['drop the security label', ({ security: _s, ...m }: fhir4.Meta): fhir4.Meta => m],
    ['add a tag', (m: fhir4.Meta): fhir4.Meta => ({ ...m, tag: [...(m.tag ?? []), { system: 'urn:x', code: 'mine' }] })],
    ['set meta.source', (m: fhir4.Meta): fhir4.Meta => ({ ...m, source: 'urn:patient-app' })],
    ['claim another profile', (m: fhir4.Meta): fhir4.Meta => ({ ...m, profile: ['https://samplan.org/fhir/StructureDefinition/samplan-careplan'] })],
  ])('may not %s (403), and the plan stays', async (_what, change) => {
    const plan = await current();
    const res = await s.request('/fhir/CarePlan/pm-plan', { method: 'PUT', json: { ...plan, meta: change(plan.meta ?? {}) }, auth: patient });
    expect(res.status).toBe(403);
    expect((await current()).meta?.versionId).toBe(plan.meta?.versionId);
  });

  it('may still record progress on their own measure, sending meta back as read', async () => {
    const plan = await current();
    const activity = structuredClone(plan.activity ?? []);
    activity[2]!.detail!.status = 'in-progress';
    const res = await s.request('/fhir/CarePlan/pm-plan', { method: 'PUT', json: { ...plan, activity }, auth: patient });
    expect(res.status).toBe(200);
    expect((await current()).meta?.security?.[0]?.code).toBe('R');
  });
});
