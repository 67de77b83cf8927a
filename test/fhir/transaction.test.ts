/** batch and transaction Bundles at POST /fhir (https://hl7.org/fhir/R4/http.html#transaction). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carePlan, careTeam, patient } from './fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const post = (bundle: unknown): Promise<Response> => s.request('/fhir', { method: 'POST', json: bundle });
const count = async (query: string): Promise<number> => ((await (await s.request(`/fhir/${query}`)).json()) as fhir4.Bundle).total!;

describe('transaction', () => {
  it('creates linked resources, rewriting urn:uuid references', async () => {
    const res = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:7c0b0cdb-1d7e-4f3a-9d0e-0c2a3c4b5d6e', resource: patient(), request: { method: 'POST', url: 'Patient' } },
        { fullUrl: 'urn:uuid:2b1d1b3a-3a44-4a55-8b66-9c77d88e99f0', resource: careTeam({ subject: { reference: 'urn:uuid:7c0b0cdb-1d7e-4f3a-9d0e-0c2a3c4b5d6e' } }), request: { method: 'POST', url: 'CareTeam' } },
        {
          resource: carePlan({ subject: { reference: 'urn:uuid:7c0b0cdb-1d7e-4f3a-9d0e-0c2a3c4b5d6e' }, careTeam: [{ reference: 'urn:uuid:2b1d1b3a-3a44-4a55-8b66-9c77d88e99f0' }] }),
          request: { method: 'POST', url: 'CarePlan' },
        },
      ],
    });
    expect(res.status).toBe(200);
    const b = (await res.json()) as fhir4.Bundle;
    expect(b.type).toBe('transaction-response');
    expect(b.entry!.map((e) => e.response!.status)).toEqual(['201', '201', '201']);
    const [pat, team, plan] = b.entry!.map((e) => e.resource!);
    expect((plan as fhir4.CarePlan).subject.reference).toBe(`Patient/${pat!.id}`);
    expect((plan as fhir4.CarePlan).careTeam![0]!.reference).toBe(`CareTeam/${team!.id}`);
    expect((team as fhir4.CareTeam).subject!.reference).toBe(`Patient/${pat!.id}`);
    expect(b.entry![2]!.response!.location).toMatch(new RegExp(`/CarePlan/${plan!.id}/_history/1$`));
    // The stored plan is found by its rewritten references.
    expect(await count(`CarePlan?patient=${pat!.id}&care-team=${team!.id}`)).toBe(1);
  });

  it('stores nothing when one entry fails, and answers with that entry\'s error', async () => {
    await s.request('/fhir/CareTeam/txn-existing', { method: 'PUT', json: careTeam({ id: 'txn-existing' }) });
    const before = await count('CarePlan?identifier=TXN-BAD');
    const res = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: carePlan({ identifier: [{ value: 'TXN-BAD' }] }), request: { method: 'POST', url: 'CarePlan' } },
        { resource: careTeam({ id: 'txn-existing', name: 'changed' }), request: { method: 'PUT', url: 'CareTeam/txn-existing' } },
        { resource: careTeam({ id: 'txn-existing' }), request: { method: 'PUT', url: 'CareTeam/txn-existing', ifMatch: 'W/"5"' } },
      ],
    });
    expect(res.status).toBe(400); // the same resource twice in one transaction
    expect(await count('CarePlan?identifier=TXN-BAD')).toBe(before);

    const stale = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: carePlan({ identifier: [{ value: 'TXN-BAD' }] }), request: { method: 'POST', url: 'CarePlan' } },
        { resource: careTeam({ id: 'txn-existing', name: 'changed' }), request: { method: 'PUT', url: 'CareTeam/txn-existing', ifMatch: 'W/"5"' } },
      ],
    });
    expect(stale.status).toBe(412);
    expect(((await stale.json()) as fhir4.OperationOutcome).issue[0]?.diagnostics).toMatch(/Entry 1/);
    expect(await count('CarePlan?identifier=TXN-BAD')).toBe(before);
    const team = (await (await s.request('/fhir/CareTeam/txn-existing')).json()) as fhir4.CareTeam;
    expect(team.meta?.versionId).toBe('1');
    expect(team.name).not.toBe('changed');

    const wrongType = await post({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: carePlan({ identifier: [{ value: 'TXN-BAD' }] }), request: { method: 'POST', url: 'CarePlan' } }, { resource: careTeam(), request: { method: 'POST', url: 'Goal' } }] });
    expect(wrongType.status).toBe(400);
    expect(await count('CarePlan?identifier=TXN-BAD')).toBe(before);
  });

  it('updates, deletes, patches (Binary) and reads in one transaction', async () => {
    await s.request('/fhir/CareTeam/t-upd', { method: 'PUT', json: careTeam({ id: 't-upd' }) });
    await s.request('/fhir/CareTeam/t-del', { method: 'PUT', json: careTeam({ id: 't-del' }) });
    await s.request('/fhir/CarePlan/t-pat', { method: 'PUT', json: carePlan({ id: 't-pat' }) });
    const patchDoc = Buffer.from(JSON.stringify([{ op: 'replace', path: '/title', value: 'Patchad i transaktion' }])).toString('base64');
    const res = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { request: { method: 'GET', url: 'CareTeam/t-upd' } },
        { resource: careTeam({ id: 't-upd', name: 'Nytt namn' }), request: { method: 'PUT', url: 'CareTeam/t-upd', ifMatch: 'W/"1"' } },
        { request: { method: 'DELETE', url: 'CareTeam/t-del' } },
        { resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: patchDoc }, request: { method: 'PATCH', url: 'CarePlan/t-pat' } },
      ],
    });
    expect(res.status).toBe(200);
    const b = (await res.json()) as fhir4.Bundle;
    expect(b.entry!.map((e) => e.response!.status)).toEqual(['200', '200', '204', '200']);
    expect((b.entry![0]!.resource as fhir4.CareTeam).name).toBe('Nytt namn'); // reads run after the writes
    expect((await s.request('/fhir/CareTeam/t-del')).status).toBe(410);
    expect(((await (await s.request('/fhir/CarePlan/t-pat')).json()) as fhir4.CarePlan).title).toBe('Patchad i transaktion');
  });

  it('resolves conditional references and conditional creates', async () => {
    await s.request('/fhir/Patient/cond-pat', { method: 'PUT', json: patient({ id: 'cond-pat', identifier: [{ system: 'urn:x', value: 'P-77' }] }) });
    const res = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001', resource: patient({ identifier: [{ system: 'urn:x', value: 'P-77' }] }), request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:x|P-77' } },
        { resource: carePlan({ subject: { reference: 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001' }, identifier: [{ value: 'COND-1' }] }), request: { method: 'POST', url: 'CarePlan' } },
        { resource: careTeam({ subject: { reference: 'Patient?identifier=urn:x|P-77' } }), request: { method: 'POST', url: 'CareTeam' } },
      ],
    });
    expect(res.status).toBe(200);
    const b = (await res.json()) as fhir4.Bundle;
    expect(b.entry![0]!.response!.status).toBe('200');
    expect((b.entry![1]!.resource as fhir4.CarePlan).subject.reference).toBe('Patient/cond-pat');
    expect((b.entry![2]!.resource as fhir4.CareTeam).subject!.reference).toBe('Patient/cond-pat');
    expect(await count('Patient?identifier=P-77')).toBe(1);
  });

  it('refuses a conditional reference that matches nothing, storing nothing', async () => {
    const res = await post({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: carePlan({ identifier: [{ value: 'COND-NONE' }], subject: { reference: 'Patient?identifier=urn:x|nobody' } }), request: { method: 'POST', url: 'CarePlan' } }] });
    expect(res.status).toBe(412);
    expect(await count('CarePlan?identifier=COND-NONE')).toBe(0);
  });
});

describe('batch', () => {
  it('processes entries independently: failures do not stop the others', async () => {
    const res = await post({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: carePlan({ identifier: [{ value: 'BATCH-1' }] }), request: { method: 'POST', url: 'CarePlan' } },
        { request: { method: 'GET', url: 'CarePlan/does-not-exist' } },
        { resource: careTeam(), request: { method: 'POST', url: 'Unicorn' } },
        { request: { method: 'GET', url: 'CarePlan?identifier=BATCH-1' } },
      ],
    });
    expect(res.status).toBe(200);
    const b = (await res.json()) as fhir4.Bundle;
    expect(b.type).toBe('batch-response');
    expect(b.entry!.map((e) => e.response!.status)).toEqual(['201', '404', '404', '200']);
    expect(b.entry![1]!.response!.outcome?.resourceType).toBe('OperationOutcome');
    expect((b.entry![3]!.resource as fhir4.Bundle).total).toBe(1);
  });

  it('refuses a Bundle that is neither batch nor transaction', async () => {
    expect((await post({ resourceType: 'Bundle', type: 'collection', entry: [] })).status).toBe(400);
    expect((await post({ resourceType: 'CarePlan' })).status).toBe(400);
  });

  it('refuses malformed entries with 400 and an OperationOutcome, not a 500', async () => {
    for (const type of ['batch', 'transaction']) {
      for (const entry of [{}, [null], [7], [[]]]) {
        const res = await post({ resourceType: 'Bundle', type, entry } as unknown as fhir4.Bundle);
        expect(res.status, `${type} ${JSON.stringify(entry)}`).toBe(400);
        expect(((await res.json()) as fhir4.OperationOutcome).resourceType).toBe('OperationOutcome');
      }
    }
  });
});
