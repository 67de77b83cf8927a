/**
 * What sync accepts from a server's answers (src/sync/remote.ts): only
 * versions of the type and id it asked for — an answer is written into local
 * records by a principal with full rights — and, when a PUT answers without a
 * body, the version its ETag names rather than whatever a read-back finds.
 * The "server" here is a few lines of node:http that answer what a faulty or
 * hostile server would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteServer, RemoteUnavailable } from '../../src/sync/remote.ts';

let server: Server;
let remote: RemoteServer;
const goal = { resourceType: 'Goal', id: 'g1', meta: { versionId: 'v1' }, lifecycleStatus: 'active', description: { text: 'x' }, subject: { reference: 'Patient/p' } };
const intruder = { resourceType: 'Patient', id: 'tyra', meta: { versionId: 'evil' }, name: [{ family: 'Mallory' }] };

beforeAll(async () => {
  server = createServer((req, res) => {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/fhir+json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    const path = req.url ?? '';
    if (req.method === 'GET' && path.startsWith('/fhir/Goal?')) return json(200, { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: intruder }, { resource: goal }] });
    if (req.method === 'GET' && path === '/fhir/Goal/g1') return json(200, intruder);
    if (req.method === 'GET' && path === '/fhir/Goal/other') return json(200, goal);
    if (req.method === 'PUT' && path === '/fhir/Goal/g1') return json(200, undefined, { etag: 'W/"v9"' });
    if (req.method === 'PUT') return json(200, undefined);
    json(404, { resourceType: 'OperationOutcome', issue: [] });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  remote = new RemoteServer(`http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`, { timeoutMs: 2_000 });
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('answers of the wrong type or id', () => {
  it('a search for Goals yields only Goals: a Patient slipped into the Bundle is left out', async () => {
    const found = await remote.changedSince('Goal', new Date(0), 10);
    expect(found.map((r) => `${r.resourceType}/${r.id}`)).toEqual(['Goal/g1']);
    expect(await remote.present('Goal', ['g1', 'tyra'])).toEqual(new Set(['g1']));
  });

  it('a read answered with another type, or another id, is refused', async () => {
    await expect(remote.read('Goal', 'g1')).rejects.toBeInstanceOf(RemoteUnavailable);
    await expect(remote.read('Goal', 'other')).rejects.toBeInstanceOf(RemoteUnavailable);
  });
});

describe('a PUT answered without a body', () => {
  it('takes the version from the ETag', async () => {
    const stored = await remote.put({ ...goal, meta: { source: 'urn:samplan:x/Goal/g1/_history/2' } } as fhir4.Goal & { id: string });
    expect(stored.meta.versionId).toBe('v9');
  });

  it('with neither body nor ETag, and a read-back that is not this push: no version is claimed', async () => {
    const push = { ...goal, id: 'other', meta: { source: 'urn:samplan:x/Goal/other/_history/3' } } as fhir4.Goal & { id: string };
    await expect(remote.put(push)).rejects.toBeInstanceOf(RemoteUnavailable);
  });
});
