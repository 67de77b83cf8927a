/**
 * Issue 5, hardening: FHIR JSON is UTF-8. A body declared in any other charset
 * (UTF-7 can hide `"` and `<` from anything that reads the bytes as UTF-8) is
 * refused with 415 and an OperationOutcome, however the parameter is spelled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carePlan } from '../fhir/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { expectOutcome, json } from './support.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  await s.seed({ ...carePlan(), id: 'cs-plan' });
});
afterAll(() => s?.close());

const planCount = async (): Promise<number> => s.db.models.resources('CarePlan').countDocuments({});

async function expect415(res: Response): Promise<void> {
  expect(res.status, await res.clone().text()).toBe(415);
  expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
  const oo = await expectOutcome(res);
  expect(oo.issue[0]).toMatchObject({ severity: 'error', code: 'not-supported' });
}

describe('a charset other than UTF-8 is refused', () => {
  it.each([
    'application/fhir+json; charset=utf-7',
    'application/fhir+json; charset=UTF-7',
    'application/fhir+json;charset="utf-7"',
    'application/fhir+json; Charset = "UTF-7"',
    'application/json; charset=utf-7',
    'application/fhir+json; charset=utf-16',
    'application/fhir+json; charset=iso-8859-1',
    'application/fhir+json; charset=latin1',
    'application/fhir+json; charset=utf-8; charset=utf-7',
    'application/fhir+json; charset=',
    'application/fhir+json; charset=x-unknown',
  ])('POST with %s → 415, nothing stored', async (contentType) => {
    const before = await planCount();
    await expect415(await s.request('/fhir/CarePlan', { method: 'POST', headers: { 'Content-Type': contentType }, body: JSON.stringify(carePlan()) }));
    expect(await planCount()).toBe(before);
  });

  it('a UTF-7 encoded body is not decoded into a resource', async () => {
    // "+ACI-" is UTF-7 for '"': as UTF-7 this is valid JSON, as UTF-8 it is not.
    const body = JSON.stringify(carePlan()).replace(/"title":"[^"]*"/, '"title":"+ACI-"');
    await expect415(await s.request('/fhir/CarePlan', { method: 'POST', headers: { 'Content-Type': 'application/fhir+json; charset=utf-7' }, body }));
  });

  it('PUT, PATCH, a transaction and POST _search are refused the same way', async () => {
    const current = await json<fhir4.CarePlan>(await s.request('/fhir/CarePlan/cs-plan'));
    const utf7 = (type: string): Record<string, string> => ({ 'Content-Type': `${type}; charset=utf-7` });
    await expect415(await s.request('/fhir/CarePlan/cs-plan', { method: 'PUT', headers: utf7('application/fhir+json'), body: JSON.stringify({ ...current, title: 'x' }) }));
    await expect415(await s.request('/fhir/CarePlan/cs-plan', { method: 'PATCH', headers: utf7('application/json-patch+json'), body: JSON.stringify([{ op: 'replace', path: '/title', value: 'x' }]) }));
    await expect415(await s.request('/fhir', { method: 'POST', headers: utf7('application/fhir+json'), body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [] }) }));
    await expect415(await s.request('/fhir/CarePlan/_search', { method: 'POST', headers: utf7('application/x-www-form-urlencoded'), body: 'status=draft' }));
    expect((await json<fhir4.CarePlan>(await s.request('/fhir/CarePlan/cs-plan'))).meta?.versionId).toBe(current.meta?.versionId);
  });

  it('the refusal names the charset it refused, without repeating a long one whole', async () => {
    const res = await s.request('/fhir/CarePlan', { method: 'POST', headers: { 'Content-Type': `application/fhir+json; charset=${'u'.repeat(5_000)}` }, body: '{}' });
    expect(res.status).toBe(415);
    const d = (await expectOutcome(res)).issue[0]!.diagnostics ?? '';
    expect(d.length).toBeLessThan(300);
    const utf7 = await s.request('/fhir/CarePlan', { method: 'POST', headers: { 'Content-Type': 'application/fhir+json; charset=utf-7' }, body: '{}' });
    expect((await expectOutcome(utf7)).issue[0]!.diagnostics).toMatch(/utf-8.*'utf-7'/);
  });
});

describe('UTF-8 is accepted in any case and quoting of its registered name (IANA: UTF-8)', () => {
  it.each(['application/fhir+json', 'application/fhir+json; charset=utf-8', 'application/fhir+json; charset=UTF-8', 'application/fhir+json;charset="utf-8"', 'application/json; charset=utf-8'])(
    'POST with %s → 201',
    async (contentType) => {
      const res = await s.request('/fhir/CarePlan', { method: 'POST', headers: { 'Content-Type': contentType }, body: JSON.stringify(carePlan({ title: 'Plan för Tolvan – åäö' })) });
      expect(res.status, await res.clone().text()).toBe(201);
      expect((await json<fhir4.CarePlan>(res)).title).toBe('Plan för Tolvan – åäö');
    },
  );

  it('a request without a body is not judged on its charset', async () => {
    const res = await s.request('/fhir/CarePlan/cs-plan', { headers: { 'Content-Type': 'application/fhir+json; charset=utf-7' } });
    expect(res.status).toBe(200);
  });
});
