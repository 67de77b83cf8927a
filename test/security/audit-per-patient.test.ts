/**
 * Issue 9, "Audit shows patients other patients": an access that touched
 * several patients' records is recorded as one AuditEvent per patient, so a
 * patient's view of their audit trail names only them and their records, and
 * never a query that names someone else. An auditor still finds every part.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { allPages, participant, planFor, teamFor } from './support.ts';

const A = 'Patient/app-a';
const B = 'Patient/app-b';

let s: TestServer;
let nurse: string;
let patientA: string;
let patientB: string;
let auditor: string;

beforeAll(async () => {
  s = await startTestServer();
  nurse = await s.token({ kind: 'practitioner', fhirUser: 'Practitioner/app-nurse', sub: 'app-nurse' });
  patientA = await s.token({ kind: 'patient', fhirUser: A });
  patientB = await s.token({ kind: 'patient', fhirUser: B });
  auditor = await s.token({ kind: 'system', scope: 'system/AuditEvent.rs' });
  for (const [p, t] of [[A, 'app-team-a'], [B, 'app-team-b']] as const) {
    await s.seed(teamFor(t, p, [participant('Practitioner/app-nurse', 'coordinator', 'Organization/app-org')]));
    await s.seed(planFor(`${t}-plan`, p, `CareTeam/${t}`));
  }
  // One search over both patients, naming both in its query.
  const res = await s.request(`/fhir/CarePlan?patient=${A},${B}`, { auth: nurse });
  expect(res.status).toBe(200);
});
afterAll(() => s?.close());

const searches = (events: fhir4.FhirResource[]): fhir4.AuditEvent[] =>
  (events as fhir4.AuditEvent[]).filter((e) => e.subtype?.[0]?.code === 'search-type' && e.agent[0]?.who?.reference === 'Practitioner/app-nurse');
const refs = (e: fhir4.AuditEvent): string[] => (e.entity ?? []).flatMap((x) => (x.what?.reference ? [x.what.reference] : []));

describe("a patient's audit view", () => {
  it.each([[A, 'B', () => patientA], [B, 'A', () => patientB]] as const)('of %s names only them, their plan, and no query naming the other', async (me, other, token) => {
    const { resources } = await allPages(s, '/fhir/AuditEvent?_count=100', token());
    const mine = searches(resources);
    expect(mine.length).toBe(1);
    const event = mine[0]!;
    const patients = refs(event).filter((r) => r.startsWith('Patient/'));
    expect(patients).toEqual([me]);
    const otherId = other === 'A' ? 'app-a' : 'app-b';
    expect(JSON.stringify(resources)).not.toContain(otherId);
    const query = event.entity?.find((x) => x.query)?.query;
    expect(query).toBeUndefined();
    expect(event.outcomeDesc).toMatch(/query withheld/);
  });
});

describe("the auditor's view", () => {
  it('has one event per patient for the search, together covering both plans', async () => {
    const { resources } = await allPages(s, '/fhir/AuditEvent?agent=Practitioner/app-nurse&_count=100', auditor);
    const parts = searches(resources);
    expect(parts.length).toBe(2);
    const all = parts.flatMap(refs);
    expect(all).toEqual(expect.arrayContaining([A, B, 'CarePlan/app-team-a-plan', 'CarePlan/app-team-b-plan']));
    for (const e of parts) expect(refs(e).filter((r) => r.startsWith('Patient/')).length).toBe(1);
  });

  it("keeps the query where it names nobody else's record", async () => {
    const res = await s.request('/fhir/CarePlan?status=draft', { auth: nurse });
    expect(res.status).toBe(200);
    const { resources } = await allPages(s, `/fhir/AuditEvent?agent=Practitioner/app-nurse&patient=${A}&_count=100`, auditor);
    const withQuery = searches(resources).filter((e) => e.entity?.some((x) => x.query));
    expect(withQuery.length).toBe(1);
    expect(Buffer.from(withQuery[0]!.entity!.find((x) => x.query)!.query!, 'base64').toString()).toBe('status=draft');
  });
});
