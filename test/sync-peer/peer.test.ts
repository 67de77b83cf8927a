/**
 * How the sync peer (medplum FhirRouter + MemoryRepository behind
 * test/support/fhir-peer.ts) behaves over real HTTP, driven by fhir-kit-client,
 * the client samplan's sync uses. These tests pin down the facts the sync engine
 * is designed against; if a medplum upgrade changes one of them, a test says so.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, RESPONSE_KEY, type FhirResource, type FhirResponse } from 'fhir-kit-client';
import { startFhirPeer, type FhirPeer } from '../support/fhir-peer.ts';

const SYS = 'urn:samplan:test:careplan';
const PROFILE = 'https://samplan.example/fhir/StructureDefinition/samplan-careplan';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const INSTANT_MS_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

type HttpError = Error & { response?: { status: number; data: unknown } };
interface Outcome {
  status: number;
  headers: Headers | undefined;
  body: FhirResource;
}

/** Resolve a fhir-kit-client call to its HTTP status, headers and body, success or not. */
async function call(p: Promise<FhirResource>): Promise<Outcome> {
  try {
    const body = await p;
    const res = (body as FhirResponse)[RESPONSE_KEY];
    return { status: res?.status ?? -1, headers: res?.headers, body };
  } catch (e) {
    const err = e as HttpError;
    if (!err.response) throw e;
    return { status: err.response.status, headers: undefined, body: err.response.data as FhirResource };
  }
}

/** fhir-kit-client types bodies as Record<string, unknown>; samplan speaks fhir4. */
function body<T extends fhir4.Resource>(r: T): FhirResource {
  const plain: fhir4.Resource = r;
  return { ...plain };
}
// The client returns untyped JSON; these tests check the shape they rely on.
function as<T extends fhir4.Resource>(r: FhirResource): T {
  return r as unknown as T;
}
function meta(r: FhirResource): fhir4.Meta {
  return as<fhir4.CarePlan>(r).meta ?? {};
}
function entries(b: FhirResource): fhir4.BundleEntry[] {
  return as<fhir4.Bundle>(b).entry ?? [];
}
function ids(b: FhirResource): string[] {
  return entries(b).map((e) => e.resource?.id ?? '?');
}
function issueCode(b: FhirResource): string | undefined {
  return as<fhir4.OperationOutcome>(b).issue?.[0]?.code;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function carePlan(value: string, extra: Partial<fhir4.CarePlan> = {}): fhir4.CarePlan {
  return {
    resourceType: 'CarePlan',
    meta: { profile: [PROFILE] },
    extension: [{ url: 'https://samplan.example/fhir/StructureDefinition/plan-kind', valueCode: 'sip' }],
    identifier: [{ system: SYS, value }],
    status: 'active',
    intent: 'plan',
    subject: { reference: 'Patient/p1' },
    activity: [{ detail: { status: 'scheduled', description: 'activity 1' } }],
    ...extra,
  };
}

let peer: FhirPeer;
let client: Client;

beforeAll(async () => {
  peer = await startFhirPeer();
  client = new Client({ baseUrl: peer.baseUrl });
});
afterAll(async () => {
  await peer?.stop();
});

describe('create', () => {
  it('POST: 201, server-assigned id, Location and ETag; a client id and meta in the body are ignored', async () => {
    const before = new Date().toISOString();
    const sent = carePlan(randomUUID(), { id: 'client-chosen', meta: { versionId: '1', lastUpdated: '2000-01-01T00:00:00.000Z' } });
    const r = await call(client.create({ resourceType: 'CarePlan', body: body(sent) }));
    expect(r.status).toBe(201);
    const id = String(r.body.id);
    const { versionId, lastUpdated } = meta(r.body);
    expect(id).toMatch(UUID);
    expect(versionId).toMatch(UUID);
    expect(lastUpdated! >= before).toBe(true);
    expect(r.headers?.get('location')).toBe(`${peer.baseUrl}/CarePlan/${id}/_history/${versionId}`);
    expect(r.headers?.get('etag')).toBe(`W/"${versionId}"`);
    expect(r.headers?.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect((await call(client.read({ resourceType: 'CarePlan', id: 'client-chosen' }))).status).toBe(404);
  });

  it('PUT to an unused client-assigned id creates it (update-as-create) with 200, not 201, and no Location', async () => {
    const id = `cp-${randomUUID()}`;
    const r = await call(client.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id }) }));
    expect(r.status).toBe(200);
    expect(r.body.id).toBe(id);
    expect(r.headers?.get('etag')).toBe(`W/"${meta(r.body).versionId}"`);
    expect(r.headers?.get('location')).toBeNull();
    const read = await call(client.read({ resourceType: 'CarePlan', id }));
    expect(read.status).toBe(200);
    expect(meta(read.body).versionId).toBe(meta(r.body).versionId);
  });

  it('PUT with an id in the URL that differs from the body: 400; body without id: 400', async () => {
    const id = `cp-${randomUUID()}`;
    const other = await call(client.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id: 'other' }) }));
    expect(other.status).toBe(400);
    const none = await call(client.update({ resourceType: 'CarePlan', id, body: body(carePlan(id)) }));
    expect(none.status).toBe(400);
  });
});

describe('versions', () => {
  it('versionId is an opaque UUID, new on every write (even an unchanged one); lastUpdated is a ms ISO instant in Z', async () => {
    const id = `cp-${randomUUID()}`;
    const v1 = await call(client.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id }) }));
    await sleep(3);
    const v2 = await call(client.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id }) }));
    const [m1, m2] = [meta(v1.body), meta(v2.body)];
    expect(m1.versionId).toMatch(UUID);
    expect(m2.versionId).toMatch(UUID);
    expect(m2.versionId).not.toBe(m1.versionId);
    expect(Number.isNaN(Number(m1.versionId))).toBe(true);
    expect(m1.lastUpdated).toMatch(INSTANT_MS_Z);
    expect(m2.lastUpdated! > m1.lastUpdated!).toBe(true);
    const hist = await call(client.history({ resourceType: 'CarePlan', id }));
    expect(entries(hist.body)).toHaveLength(2); // identical content still made a version
  });

  it('a client-sent meta.versionId / lastUpdated is replaced by the server; meta.source, tag, profile are kept', async () => {
    const id = `cp-${randomUUID()}`;
    const tag = [{ system: 'urn:samplan:origin', code: 'region' }];
    const source = 'urn:samplan:instance:region#42';
    const sent = { ...carePlan(id), id, meta: { profile: [PROFILE], source, tag, versionId: '7', lastUpdated: '2001-01-01T00:00:00.000Z' } };
    const r = await call(client.update({ resourceType: 'CarePlan', id, body: body(sent) }));
    expect(meta(r.body).versionId).not.toBe('7');
    expect(meta(r.body).lastUpdated! > '2020').toBe(true);
    const read = await call(client.read({ resourceType: 'CarePlan', id }));
    expect(meta(read.body)).toMatchObject({ profile: [PROFILE], source, tag });
  });
});

describe('read, vread, patch, delete', () => {
  it('read/vread with ETag and Last-Modified; JSON patch makes a version; delete → 404 everywhere (no 410, no tombstone)', async () => {
    const id = `cp-${randomUUID()}`;
    const v1 = await call(client.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id }) }));
    const vid1 = String(meta(v1.body).versionId);
    const read = await call(client.read({ resourceType: 'CarePlan', id }));
    expect(read.status).toBe(200);
    expect(read.headers?.get('etag')).toBe(`W/"${vid1}"`);
    expect(new Date(read.headers?.get('last-modified') ?? '').getTime()).toBe(
      Math.floor(Date.parse(meta(v1.body).lastUpdated!) / 1000) * 1000,
    );

    const patched = await call(
      client.patch({ resourceType: 'CarePlan', id, jsonPatch: [{ op: 'replace', path: '/status', value: 'on-hold' }] }),
    );
    expect(patched.status).toBe(200);
    expect(as<fhir4.CarePlan>(patched.body).status).toBe('on-hold');
    const old = await call(client.vread({ resourceType: 'CarePlan', id, version: vid1 }));
    expect(old.status).toBe(200);
    expect(as<fhir4.CarePlan>(old.body).status).toBe('active');
    expect((await call(client.vread({ resourceType: 'CarePlan', id, version: 'nope' }))).status).toBe(404);

    const del = await call(client.delete({ resourceType: 'CarePlan', id }));
    expect(del.status).toBe(200);
    expect(del.body.resourceType).toBe('OperationOutcome');
    expect((await call(client.read({ resourceType: 'CarePlan', id }))).status).toBe(404);
    expect((await call(client.vread({ resourceType: 'CarePlan', id, version: vid1 }))).status).toBe(404);
    expect((await call(client.history({ resourceType: 'CarePlan', id }))).status).toBe(404);
    expect((await call(client.delete({ resourceType: 'CarePlan', id }))).status).toBe(404); // not idempotent
    const search = await call(client.search({ resourceType: 'CarePlan', searchParams: { identifier: `${SYS}|${id}` } }));
    expect(entries(search.body)).toHaveLength(0);

    // PUT on the deleted id brings it back; its history still holds the pre-delete versions, no delete marker.
    const again = await call(client.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id }) }));
    expect(again.status).toBe(200);
    const hist = await call(client.history({ resourceType: 'CarePlan', id }));
    expect(entries(hist.body)).toHaveLength(3);
  });
});

describe('If-Match', () => {
  it('current version → 200; stale → 412 precondition-failed; missing resource → 404', async () => {
    const id = `cp-${randomUUID()}`;
    const v1 = await call(client.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id }) }));
    const vid1 = String(meta(v1.body).versionId);
    const ok = await call(
      client.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id, status: 'on-hold' }), options: { headers: { 'If-Match': `W/"${vid1}"` } } }),
    );
    expect(ok.status).toBe(200);
    const stale = await call(
      client.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id, status: 'revoked' }), options: { headers: { 'If-Match': `W/"${vid1}"` } } }),
    );
    expect(stale.status).toBe(412);
    expect(stale.body.resourceType).toBe('OperationOutcome');
    expect(stale.body.id).toBe('precondition-failed');
    expect(issueCode(stale.body)).toBe('processing');
    // a strong ETag form is accepted too
    const strong = await call(
      client.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id }), options: { headers: { 'If-Match': `"${meta(ok.body).versionId}"` } } }),
    );
    expect(strong.status).toBe(200);
    const missing = await call(
      client.update({ resourceType: 'CarePlan', id: `nx-${id}`, body: body({ ...carePlan(id), id: `nx-${id}` }), options: { headers: { 'If-Match': 'W/"x"' } } }),
    );
    expect(missing.status).toBe(404);
  });

  it('an unquoted If-Match value is silently ignored: the update goes through', async () => {
    const id = `cp-${randomUUID()}`;
    await call(client.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id }) }));
    const r = await call(
      client.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id }), options: { headers: { 'If-Match': 'not-the-version' } } }),
    );
    expect(r.status).toBe(200);
  });

  it('two concurrent updates with the same If-Match: exactly one wins, the other gets 412', async () => {
    const id = `cp-${randomUUID()}`;
    const v1 = await call(client.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id }) }));
    const etag = `W/"${meta(v1.body).versionId}"`;
    const put = (status: fhir4.CarePlan['status']) =>
      call(client.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id, status }), options: { headers: { 'If-Match': etag } } }));
    const results = await Promise.all([put('on-hold'), put('revoked')]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
  });
});

describe('conditional interactions', () => {
  it('PUT /CarePlan?identifier=…: no match → 201 create, one match → 200 update of that id', async () => {
    const value = randomUUID();
    const searchParams = { identifier: `${SYS}|${value}` };
    const first = await call(client.update({ resourceType: 'CarePlan', searchParams, body: body(carePlan(value)) }));
    expect(first.status).toBe(201);
    expect(first.headers?.get('location')).toMatch(new RegExp(`/CarePlan/${String(first.body.id)}/_history/`));
    const second = await call(client.update({ resourceType: 'CarePlan', searchParams, body: body(carePlan(value, { status: 'on-hold' })) }));
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(meta(second.body).versionId).not.toBe(meta(first.body).versionId);
    // a retry of the same push does not duplicate
    await call(client.update({ resourceType: 'CarePlan', searchParams, body: body(carePlan(value, { status: 'on-hold' })) }));
    const found = await call(client.search({ resourceType: 'CarePlan', searchParams }));
    expect(ids(found.body)).toEqual([first.body.id]);
  });

  it('conditional PUT: client id with no match → 400; id ≠ matched id → 400; 2 matches → 412; If-Match is ignored', async () => {
    const value = randomUUID();
    const searchParams = { identifier: `${SYS}|${value}` };
    const withId = await call(client.update({ resourceType: 'CarePlan', searchParams, body: body({ ...carePlan(value), id: `cp-${value}` }) }));
    expect(withId.status).toBe(400);
    const made = await call(client.update({ resourceType: 'CarePlan', searchParams, body: body(carePlan(value)) }));
    const wrongId = await call(client.update({ resourceType: 'CarePlan', searchParams, body: body({ ...carePlan(value), id: 'someone-else' }) }));
    expect(wrongId.status).toBe(400);
    const staleIfMatch = await call(
      client.update({ resourceType: 'CarePlan', searchParams, body: body(carePlan(value)), options: { headers: { 'If-Match': 'W/"stale"' } } }),
    );
    expect(staleIfMatch.status).toBe(200);
    expect(staleIfMatch.body.id).toBe(made.body.id);
    await call(client.create({ resourceType: 'CarePlan', body: body(carePlan(value)) })); // a second match
    const multi = await call(client.update({ resourceType: 'CarePlan', searchParams, body: body(carePlan(value)) }));
    expect(multi.status).toBe(412);
    expect(multi.body.id).toBe('multiple-matches');
    expect(issueCode(multi.body)).toBe('multiple-matches');
  });

  it('conditional DELETE is idempotent (200 with or without a match); after a delete, conditional PUT creates a NEW id', async () => {
    const value = randomUUID();
    const searchParams = { identifier: `${SYS}|${value}` };
    const made = await call(client.update({ resourceType: 'CarePlan', searchParams, body: body(carePlan(value)) }));
    const del = (): Promise<FhirResource> => client.request(`CarePlan?identifier=${encodeURIComponent(searchParams.identifier)}`, { method: 'DELETE' });
    expect((await call(del())).status).toBe(200);
    expect((await call(del())).status).toBe(200);
    expect((await call(client.read({ resourceType: 'CarePlan', id: String(made.body.id) }))).status).toBe(404);
    const again = await call(client.update({ resourceType: 'CarePlan', searchParams, body: body(carePlan(value)) }));
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(made.body.id);
  });

  it('conditional create (If-None-Exist): 201, then 200 with the existing resource, untouched', async () => {
    const value = randomUUID();
    const opts = { headers: { 'If-None-Exist': `identifier=${SYS}|${value}` } };
    const a = await call(client.create({ resourceType: 'CarePlan', body: body(carePlan(value)), options: opts }));
    const b = await call(client.create({ resourceType: 'CarePlan', body: body(carePlan(value, { status: 'revoked' })), options: opts }));
    expect(a.status).toBe(201);
    expect(b.status).toBe(200);
    expect(b.body.id).toBe(a.body.id);
    expect(meta(b.body).versionId).toBe(meta(a.body).versionId);
    expect(as<fhir4.CarePlan>(b.body).status).toBe('active');
  });
});

describe('search', () => {
  it('_lastUpdated=gt<instant> returns exactly what changed after it; gt excludes, ge includes that instant', async () => {
    const tag = randomUUID(); // isolate from other tests: every plan here carries the same subject
    const subject = { reference: `Patient/${tag}` };
    const mk = async (n: number) =>
      call(client.create({ resourceType: 'CarePlan', body: body(carePlan(`${tag}-${n}`, { subject })) }));
    const a = await mk(1);
    await sleep(3);
    const b = await mk(2);
    await sleep(3);
    const c = await mk(3);
    const mark = String(meta(b.body).lastUpdated);
    const q = async (p: Record<string, string>) =>
      ids((await call(client.search({ resourceType: 'CarePlan', searchParams: { subject: subject.reference, ...p } }))).body);
    expect(await q({ _lastUpdated: `gt${mark}`, _sort: '_lastUpdated' })).toEqual([c.body.id]);
    expect(await q({ _lastUpdated: `ge${mark}`, _sort: '_lastUpdated' })).toEqual([b.body.id, c.body.id]);
    // an update moves a resource past the checkpoint again
    await sleep(3);
    const a2 = await call(client.update({ resourceType: 'CarePlan', id: String(a.body.id), body: body({ ...a.body, status: 'on-hold' }) }));
    expect(await q({ _lastUpdated: `gt${String(meta(c.body).lastUpdated)}` })).toEqual([a2.body.id]);
    // the same instant written with a +01:00 offset is understood (normalised to Z)
    const plusOne = new Date(Date.parse(mark) + 3600_000).toISOString().replace('Z', '+01:00');
    expect((await q({ _lastUpdated: `gt${plusOne}` })).sort()).toEqual([a.body.id, c.body.id].sort());
    // a coarser instant is a period: gt<second> means "after the end of that second"
    const second = mark.slice(0, 19) + 'Z';
    const inSecond = [a2, b, c].filter((r) => String(meta(r.body).lastUpdated).startsWith(mark.slice(0, 19)));
    const gtSecond = await q({ _lastUpdated: `gt${second}` });
    for (const r of inSecond) expect(gtSecond).not.toContain(r.body.id);
    const geSecond = await q({ _lastUpdated: `ge${second}` });
    for (const r of inSecond) expect(geSecond).toContain(r.body.id);
  });

  it('_sort by _lastUpdated both ways, _count/_offset slice with total of all matches and no paging links', async () => {
    const subject = { reference: `Patient/${randomUUID()}` };
    const made: string[] = [];
    for (let n = 0; n < 4; n++) {
      const r = await call(client.create({ resourceType: 'CarePlan', body: body(carePlan(randomUUID(), { subject })) }));
      made.push(String(r.body.id));
      await sleep(2);
    }
    const s = async (p: Record<string, string>) =>
      (await call(client.search({ resourceType: 'CarePlan', searchParams: { subject: subject.reference, ...p } }))).body;
    expect(ids(await s({ _sort: '_lastUpdated' }))).toEqual(made);
    expect(ids(await s({ _sort: '-_lastUpdated' }))).toEqual([...made].reverse());
    const page = await s({ _sort: '_lastUpdated', _count: '2', _offset: '1' });
    expect(ids(page)).toEqual(made.slice(1, 3));
    expect(as<fhir4.Bundle>(page).total).toBe(4);
    expect(as<fhir4.Bundle>(page).link).toBeUndefined();
    expect(as<fhir4.Bundle>(page).type).toBe('searchset');
    const e0 = entries(page)[0];
    expect(e0?.fullUrl).toBeUndefined(); // entries are { resource } only
    expect(e0?.search).toBeUndefined();
    // POST _search (form body) gives the same as GET
    const posted = await call(
      client.search({ resourceType: 'CarePlan', searchParams: { subject: subject.reference, _sort: '_lastUpdated' }, options: { postSearch: true } }),
    );
    expect(ids(posted.body)).toEqual(made);
  });

  it('identifier token search; an unknown parameter such as _since matches NOTHING (no 400, not ignored)', async () => {
    const value = randomUUID();
    const r = await call(client.create({ resourceType: 'CarePlan', body: body(carePlan(value)) }));
    const byIdent = await call(client.search({ resourceType: 'CarePlan', searchParams: { identifier: `${SYS}|${value}` } }));
    expect(ids(byIdent.body)).toEqual([r.body.id]);
    const byValueOnly = await call(client.search({ resourceType: 'CarePlan', searchParams: { identifier: value } }));
    expect(ids(byValueOnly.body)).toEqual([r.body.id]);
    const since = await call(client.search({ resourceType: 'CarePlan', searchParams: { _since: '2000-01-01T00:00:00Z' } }));
    expect(since.status).toBe(200);
    expect(entries(since.body)).toHaveLength(0);
    const bogus = await call(client.search({ resourceType: 'CarePlan', searchParams: { 'no-such-param': 'x' } }));
    expect(entries(bogus.body)).toHaveLength(0);
  });

  it('a raw "+" in a hand-built query decodes to a space: 400; encoded (%2B, as URLSearchParams does) it works', async () => {
    const raw = await fetch(`${peer.baseUrl}/CarePlan?_lastUpdated=gt2020-01-01T00:00:00+00:00`);
    expect(raw.status).toBe(400);
    const encoded = await fetch(`${peer.baseUrl}/CarePlan?${new URLSearchParams({ _lastUpdated: 'gt2020-01-01T00:00:00+00:00', _count: '1' })}`);
    expect(encoded.status).toBe(200);
  });
});

describe('history', () => {
  it('instance _history: newest first, stable across calls; _since and _count are ignored; entries carry no request/response', async () => {
    const id = `cp-${randomUUID()}`;
    const vids: string[] = [];
    for (const status of ['draft', 'active', 'on-hold'] as const) {
      const r = await call(client.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id, status }) }));
      vids.push(String(meta(r.body).versionId));
      await sleep(2);
    }
    const h1 = await call(client.history({ resourceType: 'CarePlan', id }));
    const h2 = await call(client.history({ resourceType: 'CarePlan', id }));
    const versions = (b: FhirResource) => entries(b).map((e) => e.resource?.meta?.versionId);
    expect(as<fhir4.Bundle>(h1.body).type).toBe('history');
    expect(versions(h1.body)).toEqual([...vids].reverse());
    expect(versions(h2.body)).toEqual([...vids].reverse());
    const e0 = entries(h1.body)[0];
    expect(e0?.request).toBeUndefined();
    expect(e0?.response).toBeUndefined();
    expect(e0?.fullUrl).toBeUndefined();
    const since = await call(client.request(`CarePlan/${id}/_history?_since=2999-01-01T00:00:00Z&_count=1`));
    expect(versions(since.body)).toEqual([...vids].reverse());
  });

  it('no type-level _history (404) and no system _history (routed as a search of type "_history": empty 200)', async () => {
    expect((await call(client.history({ resourceType: 'CarePlan' }))).status).toBe(404);
    const sys = await call(client.history({}));
    expect(sys.status).toBe(200);
    expect(as<fhir4.Bundle>(sys.body).type).toBe('searchset');
    expect(entries(sys.body)).toHaveLength(0);
  });
});

describe('validation', () => {
  it('none: samplan profile and extensions, unknown elements, invalid codes, missing required fields, unknown types are all stored', async () => {
    const weird = { ...carePlan(randomUUID()), status: 'not-a-status', bogusElement: { x: 1 } } as unknown as fhir4.CarePlan;
    delete (weird as Partial<fhir4.CarePlan>).intent; // required in R4
    const r = await call(client.create({ resourceType: 'CarePlan', body: body(weird) }));
    expect(r.status).toBe(201);
    const read = await call(client.read({ resourceType: 'CarePlan', id: String(r.body.id) }));
    expect(read.body.bogusElement).toEqual({ x: 1 });
    expect(meta(read.body).profile).toEqual([PROFILE]);
    expect(as<fhir4.CarePlan>(read.body).extension?.[0]?.valueCode).toBe('sip');
    const foo = await call(client.create({ resourceType: 'Foo', body: { resourceType: 'Foo' } }));
    expect(foo.status).toBe(201);
    // what IS refused: a resourceType that does not match the URL, and a body that is not JSON
    const wrongType = await call(client.create({ resourceType: 'Goal', body: body(carePlan(randomUUID())) }));
    expect(wrongType.status).toBe(400);
    const res = await fetch(`${peer.baseUrl}/CarePlan`, { method: 'POST', body: '{not json', headers: { 'content-type': 'application/fhir+json' } });
    expect(res.status).toBe(400);
  });
});

describe('batch and transaction (POST to the base)', () => {
  it('transaction: urn:uuid references rewritten, 201 entries with location Type/id and etag', async () => {
    const goalUrn = `urn:uuid:${randomUUID()}`;
    const value = randomUUID();
    const bundle: fhir4.Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: goalUrn, resource: { resourceType: 'Goal', lifecycleStatus: 'active', description: { text: 'walk' }, subject: { reference: 'Patient/p1' } }, request: { method: 'POST', url: 'Goal' } },
        { resource: carePlan(value, { goal: [{ reference: goalUrn }] }), request: { method: 'PUT', url: `CarePlan?identifier=${SYS}|${value}` } },
      ],
    };
    const r = await call(client.transaction({ body: body(bundle) }));
    expect(r.status).toBe(200);
    expect(as<fhir4.Bundle>(r.body).type).toBe('transaction-response');
    const [g, cp] = entries(r.body);
    expect(g?.response?.status).toBe('201');
    expect(g?.response?.location).toBe(`Goal/${g?.resource?.id}`);
    expect(g?.response?.etag).toBe(`W/"${g?.resource?.meta?.versionId}"`);
    expect(cp?.response?.status).toBe('201');
    expect((cp?.resource as fhir4.CarePlan | undefined)?.goal?.[0]?.reference).toBe(`Goal/${g?.resource?.id}`);
  });

  it('a failing transaction answers with the error status but is NOT atomic: earlier entries stay written', async () => {
    const value = randomUUID();
    const id = `cp-${randomUUID()}`;
    await call(client.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id }) }));
    const bundle: fhir4.Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: carePlan(value), request: { method: 'POST', url: 'CarePlan' } },
        { resource: { ...carePlan(id), id }, request: { method: 'PUT', url: `CarePlan/${id}`, ifMatch: 'W/"stale"' } },
      ],
    };
    const r = await call(client.transaction({ body: body(bundle) }));
    expect(r.status).toBe(412);
    const leaked = await call(client.search({ resourceType: 'CarePlan', searchParams: { identifier: `${SYS}|${value}` } }));
    expect(entries(leaked.body)).toHaveLength(1);
  });

  it('batch: entries succeed or fail independently (200 + per-entry status); a POST entry gets a new id', async () => {
    const id = `cp-${randomUUID()}`;
    const bundle: fhir4.Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: { ...carePlan(id), id }, request: { method: 'PUT', url: `CarePlan/${id}` } },
        { resource: { ...carePlan(id), id: 'mine' }, request: { method: 'POST', url: 'CarePlan' } },
        { resource: { ...carePlan(id), id }, request: { method: 'PUT', url: `CarePlan/${id}`, ifMatch: 'W/"stale"' } },
      ],
    };
    const r = await call(client.batch({ body: body(bundle) }));
    expect(r.status).toBe(200);
    expect(as<fhir4.Bundle>(r.body).type).toBe('batch-response');
    const [put, post, stale] = entries(r.body);
    expect(put?.response?.status).toBe('200');
    expect(post?.response?.status).toBe('201');
    expect(post?.resource?.id).not.toBe('mine');
    expect(stale?.response?.status).toBe('412');
  });
});

describe('the server going down and coming back', () => {
  it('stopped: requests fail with fetch TypeError, cause ECONNREFUSED; restarted on the same port: data kept', async () => {
    const own = await startFhirPeer();
    const c = new Client({ baseUrl: own.baseUrl });
    const id = `cp-${randomUUID()}`;
    const v1 = await call(c.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id }) }));
    await call(c.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id, status: 'on-hold' }) }));
    const { baseUrl, port } = own;

    await own.stop();
    await own.stop(); // idempotent
    const err = await c.read({ resourceType: 'CarePlan', id }).then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: { code?: string } },
    );
    expect(err).toBeInstanceOf(TypeError);
    expect(err?.message).toBe('fetch failed');
    expect(err?.cause?.code).toBe('ECONNREFUSED');

    await own.restart();
    expect(own.baseUrl).toBe(baseUrl);
    expect(own.port).toBe(port);
    const read = await call(c.read({ resourceType: 'CarePlan', id }));
    expect(read.status).toBe(200);
    expect(as<fhir4.CarePlan>(read.body).status).toBe('on-hold');
    const old = await call(c.vread({ resourceType: 'CarePlan', id, version: String(meta(v1.body).versionId) }));
    expect(old.status).toBe(200);
    expect(entries((await call(c.history({ resourceType: 'CarePlan', id }))).body)).toHaveLength(2);

    // a brand-new peer process on the same port and the same store is equivalent
    await own.stop();
    const again = await startFhirPeer({ port, repo: own.repo });
    try {
      expect(again.baseUrl).toBe(baseUrl);
      expect((await call(c.read({ resourceType: 'CarePlan', id }))).status).toBe(200);
    } finally {
      await again.stop();
    }
  });

  it('stop() frees the port for anyone', async () => {
    const own = await startFhirPeer();
    await own.stop();
    const other = await startFhirPeer({ port: own.port });
    expect(other.port).toBe(own.port);
    await other.stop();
  });

  it('GET /metadata answers a minimal CapabilityStatement', async () => {
    const cs = await client.capabilityStatement();
    expect(cs.resourceType).toBe('CapabilityStatement');
    expect(cs.fhirVersion).toBe('4.0.1');
  });
});

describe('raw medplum MemoryRepository (what the default peer corrects)', () => {
  let raw: FhirPeer;
  let rc: Client;
  beforeAll(async () => {
    raw = await startFhirPeer({ raw: true });
    rc = new Client({ baseUrl: raw.baseUrl });
  });
  afterAll(async () => {
    await raw?.stop();
  });

  it('POST keeps a client id and silently overwrites an existing resource with it', async () => {
    const a = await call(rc.create({ resourceType: 'CarePlan', body: body({ ...carePlan('x'), id: 'fixed' }) }));
    const b = await call(rc.create({ resourceType: 'CarePlan', body: body({ ...carePlan('y'), id: 'fixed' }) }));
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).toBe('fixed');
    const read = await call(rc.read({ resourceType: 'CarePlan', id: 'fixed' }));
    expect(as<fhir4.CarePlan>(read.body).identifier?.[0]?.value).toBe('y');
  });

  it('create paths keep a client-sent meta.versionId and lastUpdated (invisible to _lastUpdated pulls)', async () => {
    const sent = carePlan(randomUUID(), { meta: { versionId: '1', lastUpdated: '2000-01-01T00:00:00.000Z' } });
    const r = await call(rc.create({ resourceType: 'CarePlan', body: body(sent) }));
    expect(meta(r.body)).toMatchObject({ versionId: '1', lastUpdated: '2000-01-01T00:00:00.000Z' });
    const byId = await call(rc.search({ resourceType: 'CarePlan', searchParams: { _id: String(r.body.id) } }));
    expect(entries(byId.body)).toHaveLength(1);
    const since = await call(rc.search({ resourceType: 'CarePlan', searchParams: { _lastUpdated: 'gt2020-01-01T00:00:00Z', _id: String(r.body.id) } }));
    expect(entries(since.body)).toHaveLength(0);
  });

  it('instance _history flips order on every call', async () => {
    const id = 'hist';
    for (const status of ['draft', 'active'] as const) {
      await call(rc.update({ resourceType: 'CarePlan', id, body: body({ ...carePlan(id), id, status }) }));
    }
    const order = async () =>
      entries((await call(rc.history({ resourceType: 'CarePlan', id }))).body).map((e) => (e.resource as fhir4.CarePlan).status);
    expect(await order()).toEqual(['active', 'draft']);
    expect(await order()).toEqual(['draft', 'active']);
  });
});
