/**
 * Issue 5, "Must show": an injection and abuse corpus over real HTTP — query
 * operators and regex meta-characters in search values, operators and odd keys
 * in bodies, oversized and deeply nested bodies, long strings, malformed JSON.
 * Each must end in a 4xx OperationOutcome (or, for a search, an empty or
 * properly narrowed result), never a 500, and store nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { carePlan } from '../fhir/fixtures.ts';
import { allPages, countOf, expectOutcome, json, planFor, teamFor } from './support.ts';

let s: TestServer;
let patientP1: string;

const P1 = 'Patient/p1';

beforeAll(async () => {
  s = await startTestServer();
  patientP1 = await s.token({ kind: 'patient', fhirUser: P1 });
  await s.seed(teamFor('ab-team-p1', P1, [{ member: { reference: 'Practitioner/on' } }]));
  await s.seed(teamFor('ab-team-p2', 'Patient/p2', [{ member: { reference: 'Practitioner/on2' } }]));
  for (const id of ['ab-p1-a', 'ab-p1-b']) await s.seed(planFor(id, P1, 'CareTeam/ab-team-p1'));
  for (const id of ['ab-p2-a', 'ab-p2-b', 'ab-p2-c']) await s.seed(planFor(id, 'Patient/p2', 'CareTeam/ab-team-p2'));
});
afterAll(() => s?.close());

const enc = encodeURIComponent;
const LONG_8K = 'a'.repeat(8 * 1024);
const LONG_100K = 'a'.repeat(100 * 1024);
/** Catastrophic-backtracking patterns, should they ever be compiled into a RegExp. */
const REDOS = ['(a+)+$', '(a|aa)+$', '^(([a-z])+.)+[A-Z]([a-z])+$', `${'a'.repeat(5000)}!`];

/** [label, query string] — each sent to GET /fhir/CarePlan?… */
const hostileQueries: [string, string][] = [
  ['bracket operator in the name', 'status[$ne]=x'],
  ['bracket operator, nested', 'subject[$ne][$ne]=x'],
  ['$gt object as the value', `status=${enc('{"$gt":""}')}`],
  ['$ne null as the value', `subject=${enc('{"$ne":null}')}`],
  ['$where as the name', `$where=${enc('1 == 1')}`],
  ['$where as the value', `status=${enc('$where')}`],
  ['$where JS in the value', `identifier=${enc("'; return true; var x='")}`],
  ['$regex in the value', `identifier=${enc('{"$regex":".*"}')}`],
  ['$or array in the value', `_id=${enc('[{"$or":[{}]}]')}`],
  ['a dotted name', 'sp.patient=Patient/p2'],
  ['a $-prefixed sp name', `${enc('sp.$where')}=1`],
  ['regex .* as the id', `_id=${enc('.*')}`],
  ['regex ^ and | in a token', `identifier=${enc('^.*|x')}`],
  ['regex character class', `status=${enc('[a-z]+')}`],
  ...REDOS.map((r, i): [string, string] => [`ReDoS pattern ${i + 1}`, `identifier=${enc(r)}`]),
  ['8 kB value', `identifier=${LONG_8K}`],
  ['8 kB reference', `subject=Patient/${LONG_8K}`],
  ['8 kB date', `date=${LONG_8K}`],
  ['null byte', `status=${enc('draft\u0000')}`],
  ['unicode line separators', `status=${enc('draft\u2028\u2029')}`],
  ['prototype pollution name', `__proto__=${enc('{"polluted":1}')}`],
  ['constructor.prototype name', `constructor.prototype.polluted=1`],
  ['huge _count', '_count=999999999999999999999'],
  ['negative _offset', '_offset=-5'],
  ['$gt in _count', `_count=${enc('{"$gt":0}')}`],
  ['unknown _sort field with $', `_sort=${enc('$where')}`],
  ['_include of an operator', `_include=${enc('CarePlan:$where')}`],
];

describe('search values never become query operators', () => {
  it.each(hostileQueries)('%s: 400 or an empty result, never a 500', async (_label, qs) => {
    const started = Date.now();
    const res = await s.request(`/fhir/CarePlan?${qs}`);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(res.status).not.toBeGreaterThanOrEqual(500);
    if (res.status === 200) {
      const bundle = await json<fhir4.Bundle>(res);
      expect(bundle.resourceType).toBe('Bundle');
      // _count/_offset edge values may page over everything; every other hostile value matches nothing.
      if (!/^_(count|offset)=/.test(qs)) expect(bundle.entry ?? []).toEqual([]);
    } else {
      expect(res.status).toBe(400);
      await expectOutcome(res);
    }
  });

  it.each(hostileQueries.filter(([, q]) => !q.startsWith('_count') && !q.startsWith('_offset')))("%s as patient p1: never widens past the patient's compartment", async (_label, qs) => {
    const res = await s.request(`/fhir/CarePlan?${qs}`, { auth: patientP1 });
    expect(res.status).not.toBeGreaterThanOrEqual(500);
    if (res.status === 200) {
      const { resources } = await allPages(s, `/fhir/CarePlan?${qs}`, patientP1);
      for (const r of resources) expect((r as fhir4.CarePlan).subject?.reference).toBe(P1);
    } else {
      await expectOutcome(res);
    }
  });

  it('a 100 kB search value in a POST _search body: no crash, 400 or empty', async () => {
    for (const body of [`identifier=${LONG_100K}`, `status=${LONG_100K}`, `subject=Patient/${LONG_100K}`, `_id=${LONG_100K}`]) {
      const res = await s.request('/fhir/CarePlan/_search', { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      expect(res.status).not.toBeGreaterThanOrEqual(500);
      if (res.status === 200) expect((await json<fhir4.Bundle>(res)).entry ?? []).toEqual([]);
      else await expectOutcome(res);
    }
  });

  it('a 100 kB search value in the URL is refused before FHIR sees it, and the server keeps serving', async () => {
    const res = await s.request(`/fhir/CarePlan?identifier=${LONG_100K}`).catch(() => undefined);
    // Node refuses over-long request heads (431) — or drops the connection; either way no 5xx and no crash.
    if (res) expect([400, 414, 431]).toContain(res.status);
    const after = await s.request('/fhir/CarePlan?_summary=count');
    expect(after.status).toBe(200);
  });

  it('status:not (a legitimate $nin) stays narrowed for a patient', async () => {
    const { resources } = await allPages(s, '/fhir/CarePlan?status:not=draft&_count=1', patientP1);
    for (const r of resources) expect((r as fhir4.CarePlan).subject?.reference).toBe(P1);
  });

  it('a legitimate search still works after the corpus (sanity)', async () => {
    const res = await s.request('/fhir/CarePlan?subject=Patient/p2&_count=10');
    expect(res.status).toBe(200);
    expect(((await json<fhir4.Bundle>(res)).entry ?? []).length).toBe(3);
  });
});

/** Nested objects `depth` levels deep, built without recursion. */
function nested(depth: number, leaf: unknown = 'x'): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

const validPlan = (): fhir4.CarePlan => planFor('ignored', P1, 'CareTeam/ab-team-p1');

interface BodyCase {
  label: string;
  method?: 'POST' | 'PUT' | 'PATCH';
  path?: string;
  /** Raw body text (sent as is) or a value to JSON.stringify. */
  raw?: string | (() => string);
  json?: () => unknown;
  contentType?: string;
  /** Expected statuses; default any 4xx. */
  status?: number[];
}

const bodyCases: BodyCase[] = [
  // operators and odd keys
  { label: 'a top-level $where', json: () => ({ resourceType: 'CarePlan', $where: '1' }), status: [400, 422] },
  { label: 'a valid plan plus $where', json: () => ({ ...validPlan(), $where: 'sleep(1000)' }), status: [400, 422] },
  { label: 'a valid plan plus $set', json: () => ({ ...validPlan(), $set: { status: 'active' } }), status: [400, 422] },
  { label: 'a $ne object as a reference', json: () => ({ ...validPlan(), subject: { reference: { $ne: null } } }), status: [400, 422] },
  { label: 'a $gt object as the status', json: () => ({ ...validPlan(), status: { $gt: '' } }), status: [400, 422] },
  { label: 'a $-key inside an activity', json: () => ({ ...validPlan(), activity: [{ detail: { status: 'not-started', $where: '1' } }] }), status: [400, 422] },
  { label: 'a dotted key', json: () => ({ ...validPlan(), 'sp.patient': ['Patient/p2'] }), status: [400, 422] },
  { label: 'a dotted key inside subject', json: () => ({ ...validPlan(), subject: { reference: 'Patient/p1', 'a.b': 1 } }), status: [400, 422] },
  { label: 'a stored-document field (deleted)', json: () => ({ ...validPlan(), deleted: true }), status: [400, 422] },
  { label: '__proto__ key', raw: () => JSON.stringify(validPlan()).replace(/^\{/, '{"__proto__":{"polluted":true},'), status: [400, 422] },
  { label: 'constructor.prototype key', json: () => ({ ...validPlan(), constructor: { prototype: { polluted: true } } }), status: [400, 422] },
  { label: 'resourceType as an operator', json: () => ({ ...validPlan(), resourceType: { $ne: 'x' } }), status: [400] },
  { label: 'PUT with $where on an existing plan', method: 'PUT', path: '/fhir/CarePlan/ab-p1-a', json: () => ({ ...planFor('ab-p1-a', P1, 'CareTeam/ab-team-p1'), $where: '1' }), status: [400, 422] },
  { label: 'PUT creating a new id with a $-key', method: 'PUT', path: '/fhir/CarePlan/ab-new', json: () => ({ ...planFor('ab-new', P1, 'CareTeam/ab-team-p1'), $where: '1' }), status: [400, 422] },
  { label: 'PATCH adding a $where key', method: 'PATCH', path: '/fhir/CarePlan/ab-p1-a', contentType: 'application/json-patch+json', json: () => [{ op: 'add', path: '/$where', value: '1' }], status: [400, 422] },
  { label: 'PATCH adding a dotted key', method: 'PATCH', path: '/fhir/CarePlan/ab-p1-a', contentType: 'application/json-patch+json', json: () => [{ op: 'add', path: '/sp.patient', value: ['Patient/p2'] }], status: [400, 422] },
  { label: 'PATCH with a constructor/prototype path', method: 'PATCH', path: '/fhir/CarePlan/ab-p1-a', contentType: 'application/json-patch+json', json: () => [{ op: 'add', path: '/constructor/prototype/polluted', value: true }], status: [400, 422] },
  { label: 'PATCH replacing resourceType with an operator', method: 'PATCH', path: '/fhir/CarePlan/ab-p1-a', contentType: 'application/json-patch+json', json: () => [{ op: 'replace', path: '/resourceType', value: { $ne: 1 } }], status: [400, 422] },
  {
    label: 'a transaction with a $where entry',
    path: '/fhir',
    json: () => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:0b2f6d2e-1a55-4e0b-9e55-2f7a1c1e0001', resource: validPlan(), request: { method: 'POST', url: 'CarePlan' } },
        { fullUrl: 'urn:uuid:0b2f6d2e-1a55-4e0b-9e55-2f7a1c1e0002', resource: { ...validPlan(), $where: '1' }, request: { method: 'POST', url: 'CarePlan' } },
      ],
    }),
    status: [400, 422],
  },
  // size and shape
  { label: 'a 2 MB body (over the 1 MB limit)', json: () => ({ ...validPlan(), description: 'x'.repeat(2 * 1024 * 1024) }), status: [413] },
  { label: 'a 2 MB malformed body', raw: () => '{'.repeat(2 * 1024 * 1024), status: [413] },
  { label: 'nesting 100 levels deep', json: () => ({ ...validPlan(), extension: [{ url: 'http://x', extension: [nested(100)] }] }), status: [400] },
  { label: 'nesting 65 levels deep (just over the limit)', json: () => ({ ...validPlan(), note: [nested(64)] }), status: [400] },
  { label: 'arrays nested 200 000 deep', raw: () => `${'['.repeat(200_000)}${']'.repeat(200_000)}`, status: [400] },
  { label: 'objects nested 100 000 deep', raw: () => `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, status: [400] },
  { label: 'a 512 kB title', json: () => ({ ...validPlan(), title: 'T'.repeat(512 * 1024), $where: '1' }), status: [400, 422] },
  { label: 'a 512 kB key', json: () => ({ ...validPlan(), ['k'.repeat(512 * 1024)]: 1 }), status: [400, 422] },
  { label: 'a 512 kB id', method: 'PUT', path: `/fhir/CarePlan/ab-long`, json: () => ({ ...validPlan(), id: 'i'.repeat(512 * 1024) }), status: [400] },
  { label: '100 000 array elements of junk', json: () => ({ ...validPlan(), identifier: Array.from({ length: 100_000 }, () => ({ $where: 1 })) }), status: [400, 422, 413] },
  // malformed
  { label: 'truncated JSON', raw: '{"resourceType": "CarePlan",', status: [400] },
  { label: 'trailing garbage', raw: () => `${JSON.stringify(validPlan())}}}`, status: [400] },
  { label: 'single quotes', raw: "{'resourceType':'CarePlan'}", status: [400] },
  { label: 'a JSON array', raw: '[]', status: [400] },
  { label: 'JSON null', raw: 'null', status: [400] },
  { label: 'a JSON string', raw: '"CarePlan"', status: [400] },
  { label: 'a JSON number', raw: '1e999', status: [400] },
  { label: 'NaN', raw: '{"resourceType":"CarePlan","x":NaN}', status: [400] },
  { label: 'invalid UTF-8 bytes', raw: '{"resourceType":"CarePlan","title":"\udc00"}', status: [400, 422] },
  { label: 'text/plain body', raw: () => JSON.stringify(validPlan()), contentType: 'text/plain', status: [415] },
  { label: 'an XML body', raw: '<CarePlan xmlns="http://hl7.org/fhir"/>', contentType: 'application/fhir+xml', status: [415] },
  { label: 'an unsupported charset', raw: () => JSON.stringify(validPlan()), contentType: 'application/fhir+json; charset=x-no-such-charset', status: [415] },
];

describe('hostile bodies: no 500, an OperationOutcome, nothing stored', () => {
  it.each(bodyCases.map((c) => [c.label, c] as const))('%s', async (_label, c) => {
    const before = await countOf(s);
    const beforeRaw = await s.db.models.resources('CarePlan').countDocuments({});
    const init: RequestInit & { json?: unknown } = { method: c.method ?? 'POST', headers: { 'Content-Type': c.contentType ?? 'application/fhir+json' } };
    if (c.json) init.body = JSON.stringify(c.json());
    else init.body = typeof c.raw === 'function' ? c.raw() : c.raw;
    const res = await s.request(c.path ?? '/fhir/CarePlan', init);
    expect(res.status, `status for ${c.label}`).toBeLessThan(500);
    expect(res.status).toBeGreaterThanOrEqual(400);
    if (c.status) expect(c.status).toContain(res.status);
    await expectOutcome(res);
    expect(await countOf(s)).toBe(before);
    expect(await s.db.models.resources('CarePlan').countDocuments({})).toBe(beforeRaw);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  // BUG (src/fhir/interactions/patch.ts, applyJsonPatch): fast-json-patch's banPrototypeModifications
  // throws a plain TypeError for a `__proto__` path, not a JsonPatchError, so the catch rethrows it and
  // the request ends as a 500 "Internal error". Nothing is polluted or stored, but it should be a 4xx.
  it('PATCH with a __proto__ path is a 4xx OperationOutcome, not a 500', async () => {
    const before = await countOf(s);
    const res = await s.request('/fhir/CarePlan/ab-p1-a', {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'add', path: '/__proto__/polluted', value: true }]),
    });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(await countOf(s)).toBe(before);
    expect([400, 422]).toContain(res.status);
    await expectOutcome(res);
  });

  it('PATCH with a __proto__ path pollutes nothing and stores nothing (whatever its status)', async () => {
    const res = await s.request('/fhir/CarePlan/ab-p1-a', {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'add', path: '/__proto__/polluted', value: true }]),
    });
    await expectOutcome(res);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const plan = await json<fhir4.CarePlan>(await s.request('/fhir/CarePlan/ab-p1-a'));
    expect(plan.meta?.versionId).toBe('1');
  });

  it('the existing plan was not changed by any of the hostile updates', async () => {
    const res = await s.request('/fhir/CarePlan/ab-p1-a');
    expect(res.status).toBe(200);
    const plan = await json<fhir4.CarePlan & Record<string, unknown>>(res);
    expect(plan.meta?.versionId).toBe('1');
    expect(plan['$where']).toBeUndefined();
    expect(plan['sp.patient']).toBeUndefined();
  });

  it('no stored document carries a $-key or a dotted key from a request', async () => {
    const docs = await s.db.models.resources('CarePlan').find({}).lean<{ resource: Record<string, unknown> }[]>();
    for (const d of docs) {
      for (const k of Object.keys(d.resource)) expect(k.startsWith('$') || k.includes('.')).toBe(false);
    }
  });

  it('a patient cannot smuggle a foreign subject past the progress rule with operators', async () => {
    const current = await json<fhir4.CarePlan>(await s.request('/fhir/CarePlan/ab-p1-b'));
    const hostile = { ...current, subject: { reference: 'Patient/p1', $ne: 'Patient/p1' } };
    const res = await s.request('/fhir/CarePlan/ab-p1-b', { method: 'PUT', json: hostile, auth: patientP1 });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    await expectOutcome(res);
    const after = await json<fhir4.CarePlan>(await s.request('/fhir/CarePlan/ab-p1-b'));
    expect(after.meta?.versionId).toBe(current.meta?.versionId);
  });

  it('the server still accepts a valid plan afterwards (sanity: the corpus did not break it)', async () => {
    const before = await countOf(s);
    const { id: _id, ...plan } = carePlan();
    const res = await s.request('/fhir/CarePlan', { method: 'POST', json: plan });
    expect(res.status).toBe(201);
    expect(await countOf(s)).toBe(before + 1);
  });
});
