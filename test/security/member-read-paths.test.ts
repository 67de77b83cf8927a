/**
 * Issue 9: those who should see, see — on every read path. A practitioner on
 * the team (personally, through their organisation, or through a role from the
 * directory feed) reads the team, the patient, the goals, the plans, their
 * versions and histories; the patient reads their own. (Reads by id once
 * answered 404 for the team and the patient: the check compared resource ids
 * with version-document ids.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { json, participant, planFor, teamFor } from './support.ts';

const P = 'Patient/mr-p';
let s: TestServer;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  s = await startTestServer();
  tokens.member = await s.token({ kind: 'practitioner', fhirUser: 'Practitioner/mr-nurse' });
  tokens.organisation = await s.token({ kind: 'practitioner', fhirUser: 'Practitioner/mr-new', organization: 'Organization/mr-org' });
  tokens.role = await s.token({ kind: 'practitioner', fhirUser: 'PractitionerRole/mr-role' });
  tokens.patient = await s.token({ kind: 'patient', fhirUser: P, scope: 'patient/*.rs' });
  await s.seed({ resourceType: 'Patient', id: 'mr-p', name: [{ family: 'Läsare' }] });
  await s.seed({ resourceType: 'PractitionerRole', id: 'mr-role', active: true, practitioner: { reference: 'Practitioner/mr-gp' }, organization: { reference: 'Organization/mr-org' } });
  await s.seed(teamFor('mr-team', P, [participant('Practitioner/mr-nurse', 'coordinator', 'Organization/mr-org')]));
  await s.seed(teamFor('mr-team', P, [participant('Practitioner/mr-nurse', 'coordinator', 'Organization/mr-org')], { name: 'v2' }));
  await s.seed(planFor('mr-plan', P, 'CareTeam/mr-team'));
  await s.seed({ resourceType: 'Goal', id: 'mr-goal', lifecycleStatus: 'active', description: { text: 'Mål' }, subject: { reference: P } });
});
afterAll(() => s?.close());

const paths = [
  '/fhir/CareTeam/mr-team', '/fhir/CareTeam/mr-team/_history/1', '/fhir/CareTeam/mr-team/_history',
  '/fhir/Patient/mr-p', '/fhir/Patient/mr-p/_history/1', '/fhir/Patient/mr-p/_history',
  '/fhir/Goal/mr-goal', '/fhir/Goal/mr-goal/_history/1',
  '/fhir/CarePlan/mr-plan', '/fhir/CarePlan/mr-plan/_history/1', '/fhir/CarePlan/mr-plan/_history',
];

describe.each(['member', 'organisation', 'role', 'patient'])('%s', (who) => {
  it.each(paths)('reads %s', async (path) => {
    const res = await s.request(path, { auth: tokens[who]! });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await json<fhir4.Resource>(res);
    if (body.resourceType === 'Bundle') expect((body as fhir4.Bundle).entry?.length).toBeGreaterThan(0);
  });

  it('finds the team, the patient and the goal by search and in type history', async () => {
    for (const [path, type] of [['/fhir/CareTeam?_id=mr-team', 'CareTeam'], ['/fhir/Goal?patient=Patient/mr-p', 'Goal'], ['/fhir/CareTeam/_history?_since=2000-01-01T00:00:00Z', 'CareTeam']] as const) {
      const bundle = await json<fhir4.Bundle>(await s.request(path, { auth: tokens[who]! }));
      expect(bundle.entry?.some((e) => e.resource?.resourceType === type), path).toBe(true);
    }
  });
});
