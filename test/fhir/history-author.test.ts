/**
 * Who wrote each version: on the history Bundle's entry.request
 * (samplan-version-author), as samplan recorded it from the writer's token,
 * never from the body. The team workspace's history shows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { careTeam } from './fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { json, participant, teamFor } from '../security/support.ts';

const AUTHOR = 'https://samplan.org/fhir/StructureDefinition/samplan-version-author';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const authors = async (path: string): Promise<(fhir4.Reference | undefined)[]> => {
  const res = await s.request(path);
  expect(res.status).toBe(200);
  const b = (await res.json()) as fhir4.Bundle;
  return (b.entry ?? []).map((e) => e.request?.extension?.find((x) => x.url === AUTHOR)?.valueReference);
};

describe('who wrote a version', () => {
  it('names a system client by its token subject, newest version first', async () => {
    await s.request('/fhir/CareTeam/a1', { method: 'PUT', json: careTeam({ id: 'a1', name: 'v1' }), auth: await s.token({ sub: 'ehr-vgr' }) });
    await s.request('/fhir/CareTeam/a1', { method: 'PUT', json: careTeam({ id: 'a1', name: 'v2' }), auth: await s.token({ sub: 'ehr-cosmic' }) });
    expect(await authors('/fhir/CareTeam/a1/_history')).toEqual([{ display: 'ehr-cosmic' }, { display: 'ehr-vgr' }]);
  });

  it('names a person by their fhirUser, also in the type history', async () => {
    const P = 'Patient/a-patient';
    await s.seed({ resourceType: 'Patient', id: 'a-patient', name: [{ family: 'Ek' }] });
    await s.seed(teamFor('a2', P, [participant('Practitioner/p-author', 'coordinator', 'Organization/a-org')]));
    const me = await s.token({ kind: 'practitioner', fhirUser: 'Practitioner/p-author', sub: 'idp-user-7' });
    const team = await json<fhir4.CareTeam>(await s.request('/fhir/CareTeam/a2', { auth: me }));
    const res = await s.request('/fhir/CareTeam/a2', { method: 'PUT', json: { ...team, name: 'v2' }, auth: me });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await authors('/fhir/CareTeam/a2/_history'))[0]).toEqual({ reference: 'Practitioner/p-author' });
    const typeLevel = await json<fhir4.Bundle>(await s.request('/fhir/CareTeam/_history'));
    const entry = typeLevel.entry!.find((e) => e.resource?.id === 'a2' && e.resource.meta?.versionId === '2');
    expect(entry?.request?.extension).toEqual([{ url: AUTHOR, valueReference: { reference: 'Practitioner/p-author' } }]);
  });

  it('is not taken from what a client sends', async () => {
    const forgedAuthor = [{ url: AUTHOR, valueReference: { reference: 'Practitioner/someone-else' } }];
    // In a resource it has no place: refused, nothing stored.
    const inMeta = await s.request('/fhir/CareTeam/a3', { method: 'PUT', json: { ...careTeam({ id: 'a3' }), meta: { extension: forgedAuthor } } });
    expect(inMeta.status).toBe(422);
    expect(((await inMeta.json()) as fhir4.OperationOutcome).issue[0]?.expression).toEqual(['CareTeam.meta.extension[0]']);
    expect((await s.request('/fhir/CareTeam/a3')).status).toBe(404);
    // On a transaction's entry.request it is where it belongs, but the author is the token's.
    const tx: fhir4.Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: careTeam({ id: 'a3' }), request: { extension: forgedAuthor, method: 'PUT', url: 'CareTeam/a3' } }] };
    const res = await s.request('/fhir', { method: 'POST', json: tx, auth: await s.token({ sub: 'ehr-honest' }) });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await authors('/fhir/CareTeam/a3/_history')).toEqual([{ display: 'ehr-honest' }]);
  });
});
