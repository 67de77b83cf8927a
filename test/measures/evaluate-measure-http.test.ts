/**
 * GET|POST /fhir/Measure/{id}/$evaluate-measure over HTTP: who may ask (a
 * scope naming Measure or MeasureReport; a system client, or a practitioner
 * whose directory role is administrator), the AuditEvent each evaluation
 * leaves, and a clear OperationOutcome for every bad request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_SYSTEM } from '../../src/validation/index.ts';
import { expectOutcome, json } from '../security/support.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { count, groupOf } from './support.ts';
import { plan } from './support.ts';

let s: TestServer;
const year = String(new Date().getUTCFullYear());
const path = (id: string, query: string): string => `/fhir/Measure/${id}/$evaluate-measure?${query}`;
const PERIOD = `periodStart=${year}-01-01&periodEnd=${year}-12-31`;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  s = await startTestServer();
  for (let i = 1; i <= 6; i++) await s.seed(plan(`em-${i}`, { kind: 'sip', principal: 'Organization/kommun-a', performer: 'Organization/hemtjanst', contact: 'reachable' }));
  const role = (id: string, code: string): fhir4.PractitionerRole & { id: string } => ({
    resourceType: 'PractitionerRole',
    id,
    active: true,
    practitioner: { reference: `Practitioner/${id}` },
    organization: { reference: 'Organization/kommun-a' },
    code: [{ coding: [{ system: CODE_SYSTEM.directoryRole, code }] }],
  });
  await s.seed(role('admin-a', 'administrator'));
  await s.seed(role('nurse-a', 'member'));
  tokens.system = await s.token({ kind: 'system', scope: 'system/Measure.rs', sub: 'committee-client' });
  tokens.systemReport = await s.token({ kind: 'system', scope: 'system/MeasureReport.r', sub: 'report-client' });
  tokens.systemWildcard = await s.token({ kind: 'system', scope: 'system/*.rs' });
  tokens.admin = await s.token({ kind: 'practitioner', fhirUser: 'PractitionerRole/admin-a', scope: 'openid fhirUser user/Measure.rs' });
  tokens.adminNoScope = await s.token({ kind: 'practitioner', fhirUser: 'PractitionerRole/admin-a', scope: 'openid fhirUser user/CarePlan.rs' });
  tokens.nurse = await s.token({ kind: 'practitioner', fhirUser: 'PractitionerRole/nurse-a', scope: 'openid fhirUser user/Measure.rs' });
  tokens.practitioner = await s.token({ kind: 'practitioner', fhirUser: 'Practitioner/someone', scope: 'openid fhirUser user/Measure.rs user/*.cruds' });
  tokens.patient = await s.token({ kind: 'patient', fhirUser: 'Patient/p-em-1', scope: 'openid fhirUser patient/Measure.rs patient/*.rs' });
});
afterAll(() => s?.close());

async function report(res: Response): Promise<fhir4.MeasureReport> {
  expect(res.status, await res.clone().text()).toBe(200);
  return json<fhir4.MeasureReport>(res);
}

describe('who may evaluate a measure', () => {
  it('a system client with system/Measure.rs gets the summary report', async () => {
    const r = await report(await s.request(path('active-plans', PERIOD), { auth: tokens.system! }));
    expect(r).toMatchObject({ resourceType: 'MeasureReport', type: 'summary', status: 'complete', period: { start: `${year}-01-01`, end: `${year}-12-31` } });
    expect(count(groupOf(r, 'active-plans').population, 'initial-population')).toBe(6);
  });

  it('a scope naming MeasureReport will do too', async () => {
    await report(await s.request(path('contact-person', PERIOD), { auth: tokens.systemReport! }));
  });

  it('a practitioner whose directory role is administrator, with user/Measure.rs', async () => {
    const r = await report(await s.request(path('contact-person', PERIOD), { auth: tokens.admin! }));
    expect(count(groupOf(r, 'contact-person').population, 'numerator')).toBe(6);
  });

  const refused: [string, string, number, RegExp][] = [
    ['a wildcard scope does not name the indicators', 'systemWildcard', 403, /Measure\.rs/],
    ['an administrator without a Measure scope', 'adminNoScope', 403, /Measure\.rs/],
    ['a practitioner whose role is not administrator', 'nurse', 403, /administrator/],
    ['a practitioner with no directory role, whatever their scopes', 'practitioner', 403, /administrator/],
    ['a patient, even with patient/Measure.rs', 'patient', 403, /committees/],
  ];
  for (const [what, who, status, message] of refused) {
    it(`refused: ${what}`, async () => {
      const res = await s.request(path('active-plans', PERIOD), { auth: tokens[who]! });
      expect(res.status).toBe(status);
      const outcome = await expectOutcome(res);
      expect(JSON.stringify(outcome)).toMatch(message);
      expect(JSON.stringify(outcome)).not.toMatch(/MeasureReport"|"group"/);
    });
  }

  it('no token: 401', async () => {
    const res = await s.request(path('active-plans', PERIOD), { auth: null });
    expect(res.status).toBe(401);
    await expectOutcome(res);
  });
});

describe('each evaluation leaves an AuditEvent', () => {
  const events = async (): Promise<fhir4.AuditEvent[]> =>
    (await s.db.models.resources('AuditEvent').find({ deleted: false }).lean<{ resource: fhir4.AuditEvent }[]>()).map((d) => d.resource).filter((e) => e.subtype?.some((c) => c.code === '$evaluate-measure'));

  it('naming the client, the Measure and the query, and no patient', async () => {
    const before = (await events()).length;
    await report(await s.request(path('agreement-current', `${PERIOD}&kind=sip`), { auth: tokens.system! }));
    const after = await events();
    expect(after).toHaveLength(before + 1);
    const e = after.at(-1)!;
    expect(e).toMatchObject({ outcome: '0', agent: [{ altId: 'committee-client', requestor: true }] });
    const what = (e.entity ?? []).map((x) => x.what?.reference);
    expect(what).toContain('Measure/agreement-current');
    expect(what.some((r) => r?.startsWith('Patient/'))).toBe(false);
    // AuditEvent.entity.query is base64 (https://hl7.org/fhir/R4/auditevent-definitions.html#AuditEvent.entity.query).
    const queries = (e.entity ?? []).flatMap((x) => (x.query ? [Buffer.from(x.query, 'base64').toString('utf8')] : []));
    expect(queries.join(' ')).toMatch(/kind=sip/);
  });

  it('a refused evaluation is audited as refused', async () => {
    const before = (await events()).length;
    await s.request(path('agreement-current', PERIOD), { auth: tokens.nurse! });
    const after = await events();
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)?.outcome).not.toBe('0');
  });
});

describe('the operation’s parameters', () => {
  it('POST with a Parameters body gives the same report as GET', async () => {
    const body: fhir4.Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'periodStart', valueDate: year },
        { name: 'periodEnd', valueDate: year },
        { name: 'reporter', valueReference: { reference: 'Organization/hemtjanst' } },
      ],
    };
    const posted = await report(await s.request('/fhir/Measure/active-plans/$evaluate-measure', { method: 'POST', json: body, auth: tokens.system! }));
    const got = await report(await s.request(path('active-plans', `${PERIOD}&reporter=Organization/hemtjanst`), { auth: tokens.system! }));
    expect(posted.group).toEqual(got.group);
    expect(posted.reporter).toEqual({ reference: 'Organization/hemtjanst', type: 'Organization' });
    expect(count(groupOf(posted, 'active-plans').population, 'initial-population')).toBe(6);
  });

  it('a month or a year stands for its days', async () => {
    const r = await report(await s.request(path('active-plans', `periodStart=${year}-02&periodEnd=${year}`), { auth: tokens.system! }));
    expect(r.period).toEqual({ start: `${year}-02-01`, end: `${year}-12-31` });
  });

  it('a reporter that is in no plan gets zeros', async () => {
    const r = await report(await s.request(path('active-plans', `${PERIOD}&reporter=Organization/elsewhere`), { auth: tokens.system! }));
    expect(count(groupOf(r, 'active-plans').population, 'initial-population')).toBe(0);
  });

  it('the Measure itself is readable, with its description in Swedish and Norwegian', async () => {
    const res = await s.request('/fhir/Measure/contact-person', { auth: tokens.system! });
    expect(res.status).toBe(200);
    const m = await json<fhir4.Measure>(res);
    expect(m).toMatchObject({ resourceType: 'Measure', id: 'contact-person', status: 'active', url: 'https://samplan.org/fhir/Measure/contact-person' });
    const languages = (m._description?.extension ?? []).flatMap((t) => (t.extension ?? []).filter((x) => x.url === 'lang').map((x) => x.valueCode));
    expect(languages).toEqual(expect.arrayContaining(['sv', 'nb']));
  });

  const bad: [string, string, number, string, RegExp][] = [
    ['no periodStart', `periodEnd=${year}-12-31`, 400, "Parameters.parameter.where(name = 'periodStart')", /required/],
    ['no periodEnd', `periodStart=${year}-01-01`, 400, "Parameters.parameter.where(name = 'periodEnd')", /required/],
    ['not a date', `periodStart=${year}-13-01&periodEnd=${year}-12-31`, 400, "Parameters.parameter.where(name = 'periodStart')", /not a date/],
    ['31 February', `periodStart=${year}-02-31&periodEnd=${year}-12-31`, 400, "Parameters.parameter.where(name = 'periodStart')", /not a date/],
    ['end before start', `periodStart=${year}-06-01&periodEnd=${year}-05-31`, 400, "Parameters.parameter.where(name = 'periodEnd')", /before periodStart/],
    ['over three years', `periodStart=2010&periodEnd=${year}`, 400, "Parameters.parameter.where(name = 'periodEnd')", /three years/],
    ['a subject', `${PERIOD}&subject=Patient/p-em-1`, 400, "Parameters.parameter.where(name = 'subject')", /would name them/],
    ['a practitioner', `${PERIOD}&practitioner=Practitioner/x`, 400, "Parameters.parameter.where(name = 'practitioner')", /would name them/],
    ['an individual report', `${PERIOD}&reportType=individual`, 400, "Parameters.parameter.where(name = 'reportType')", /only summary/],
    ['an unknown parameter', `${PERIOD}&lastReceivedOn=${year}-01-01`, 400, "Parameters.parameter.where(name = 'lastReceivedOn')", /Unknown parameter/],
    ['a parameter twice', `${PERIOD}&kind=sip&kind=patientkontrakt`, 400, "Parameters.parameter.where(name = 'kind')", /twice/],
    ['a reporter that is not an organisation', `${PERIOD}&reporter=Patient/p-em-1`, 400, "Parameters.parameter.where(name = 'reporter')", /Organization/],
    ['an unknown plan kind', `${PERIOD}&kind=vardplan`, 400, "Parameters.parameter.where(name = 'kind')", /not a plan kind/],
  ];
  for (const [what, query, status, expression, message] of bad) {
    it(`refused with an OperationOutcome: ${what}`, async () => {
      const res = await s.request(path('active-plans', query), { auth: tokens.system! });
      expect(res.status).toBe(status);
      const o = await expectOutcome(res);
      expect(o.issue[0]?.expression).toEqual([expression]);
      expect(o.issue[0]?.diagnostics ?? o.issue[0]?.details?.text).toMatch(message);
    });
  }

  it('an unknown Measure: 404', async () => {
    const res = await s.request(path('no-such-measure', PERIOD), { auth: tokens.system! });
    expect(res.status).toBe(404);
    await expectOutcome(res);
  });

  it('a POST body that is not Parameters: 400, and nothing is stored', async () => {
    const before = await s.db.models.resources('CarePlan').countDocuments();
    const res = await s.request('/fhir/Measure/active-plans/$evaluate-measure', { method: 'POST', json: { resourceType: 'CarePlan' }, auth: tokens.system! });
    expect(res.status).toBe(400);
    await expectOutcome(res);
    expect(await s.db.models.resources('CarePlan').countDocuments()).toBe(before);
  });
});
