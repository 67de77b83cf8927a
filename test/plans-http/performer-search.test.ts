/** `CarePlan?performer=`: plans with a measure an organisation, a practitioner or the patient performs (R4 CarePlan-performer). */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
let stored: fhir4.Bundle[];

beforeAll(async () => {
  s = await startTestServer();
  stored = [];
  for (const file of ['patientkontrakt-skane', 'utskrivning-oppfolging']) {
    const bundle = JSON.parse(readFileSync(new URL(`../../fhir-examples/${file}.bundle.json`, import.meta.url), 'utf8')) as fhir4.Bundle;
    stored.push((await (await s.request('/fhir', { method: 'POST', json: bundle })).json()) as fhir4.Bundle);
  }
});
afterAll(() => s.close());

const of = (b: fhir4.Bundle, type: string): fhir4.FhirResource[] => b.entry!.flatMap((e) => (e.resource?.resourceType === type ? [e.resource] : []));

describe('performer', () => {
  it('finds the plans where an organisation, a practitioner or the patient performs a measure, and no others', async () => {
    const [skane, testoy] = stored as [fhir4.Bundle, fhir4.Bundle];
    const plan = of(skane, 'CarePlan')[0] as fhir4.CarePlan;
    const kommun = (of(skane, 'Organization') as fhir4.Organization[]).find((o) => o.name === 'Testhamns kommun, vård och omsorg')!;
    const patient = of(skane, 'Patient')[0]!;
    const other = of(testoy, 'CarePlan')[0]!;
    const ids = async (q: string): Promise<string[]> => ((await (await s.request(`/fhir/CarePlan?${q}`)).json()) as fhir4.Bundle).entry?.map((e) => e.resource!.id!) ?? [];
    expect(await ids(`performer=Organization/${kommun.id}`)).toEqual([plan.id]);
    expect(await ids(`performer=Patient/${patient.id}`)).toEqual([plan.id]);
    expect(await ids(`performer=Practitioner/${plan.activity![0]!.detail!.performer![0]!.reference!.split('/')[1]}`)).toEqual([plan.id]);
    expect((await ids('performer=Organization/nobody')).length).toBe(0);
    expect(await ids(`performer=Patient/${(of(testoy, 'Patient')[0]!).id}`)).toEqual([other.id]);
  });
});
