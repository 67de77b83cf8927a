/**
 * Issue 9: update-as-create must not tell an outsider whether an id exists.
 * A person's PUT to an id they cannot see gets the same answer whether the id
 * names another patient's plan or nothing at all; a system client still
 * creates with its own ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { participant, planFor, teamFor } from './support.ts';

let s: TestServer;
let outsider: string;

beforeAll(async () => {
  s = await startTestServer();
  outsider = await s.token({ kind: 'practitioner', fhirUser: 'Practitioner/uo-outsider' });
  await s.seed(teamFor('uo-team', 'Patient/uo-p', [participant('Practitioner/uo-nurse', 'coordinator', 'Organization/uo-org')]));
  await s.seed(teamFor('uo-own-team', 'Patient/uo-q', [participant('Practitioner/uo-outsider', 'coordinator', 'Organization/uo-org')]));
  await s.seed(planFor('uo-existing', 'Patient/uo-p', 'CareTeam/uo-team'));
});
afterAll(() => s?.close());

async function answer(id: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await s.request(`/fhir/CarePlan/${id}`, { method: 'PUT', json: body, auth: outsider });
  return { status: res.status, text: (await res.text()).replaceAll(id, '<id>') };
}

describe('an outsider probing ids with PUT', () => {
  it.each([
    ['a valid plan on their own team', (id: string) => planFor(id, 'Patient/uo-q', 'CareTeam/uo-own-team')],
    ['an invalid plan', (id: string) => ({ resourceType: 'CarePlan', id, status: 'nonsense' })],
  ])('gets the same answer for an existing foreign id and an unknown one (%s)', async (_what, body) => {
    const existing = await answer('uo-existing', body('uo-existing'));
    const unknown = await answer('uo-unknown', body('uo-unknown'));
    expect(existing.status).toBe(404);
    expect(unknown).toEqual(existing);
    expect((await s.request('/fhir/CarePlan/uo-unknown')).status).toBe(404); // nothing was created
  });

  it('the same for a conditional update that names an id', async () => {
    const res = async (id: string): Promise<number> =>
      (await s.request('/fhir/CarePlan?identifier=urn:x|none', { method: 'PUT', json: planFor(id, 'Patient/uo-q', 'CareTeam/uo-own-team'), auth: outsider })).status;
    expect(await res('uo-existing')).toBe(404);
    expect(await res('uo-unknown-2')).toBe(404);
  });
});

describe('the legitimate ways to create', () => {
  it('a practitioner creates with POST', async () => {
    const { id: _id, ...plan } = planFor('x', 'Patient/uo-q', 'CareTeam/uo-own-team');
    expect((await s.request('/fhir/CarePlan', { method: 'POST', json: plan, auth: outsider })).status).toBe(201);
  });

  it('a system client creates with an id of its own', async () => {
    expect((await s.request('/fhir/CarePlan/uo-by-system', { method: 'PUT', json: planFor('uo-by-system', 'Patient/uo-q', 'CareTeam/uo-own-team') })).status).toBe(201);
  });
});
