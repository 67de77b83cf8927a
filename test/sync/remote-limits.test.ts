/**
 * What sync reads from the server is bounded (src/sync/remote.ts): an answer
 * larger than the cap is given up as soon as that many bytes have come (not
 * first read whole into memory), and an answer that does not finish in time —
 * headers sent, then a body that trickles for ever — is given up when the time
 * limit passes. Either way the cycle hears RemoteUnavailable and backs off.
 * The "server" is a few lines of node:http answering as a faulty or hostile
 * server would.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteServer, RemoteUnavailable } from '../../src/sync/remote.ts';

let server: Server;
let base = '';
/** Bytes the huge answer managed to send before the client stopped reading, per request. */
const sent: number[] = [];
const open = new Set<ServerResponse>();

const entry = (i: number) => ({ resource: { resourceType: 'Goal', id: `g${i}`, meta: { versionId: '1' }, lifecycleStatus: 'active', description: { text: 'x'.repeat(1000) }, subject: { reference: 'Patient/p' } } });

beforeAll(async () => {
  server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    const path = req.url ?? '';
    if (path.startsWith('/fhir/Goal?')) {
      // 8 MB of a valid searchset, written as fast as the client takes it, without Content-Length.
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      let i = 0;
      let bytes = 0;
      res.on('close', () => sent.push(bytes));
      const chunk = (s: string): boolean => {
        bytes += Buffer.byteLength(s);
        return res.write(s);
      };
      chunk('{"resourceType":"Bundle","type":"searchset","entry":[');
      const more = (): void => {
        while (i < 8000) {
          if (!chunk(`${i > 0 ? ',' : ''}${JSON.stringify(entry(i++))}`)) return void res.once('drain', more);
        }
        res.end(']}');
      };
      more();
      return;
    }
    if (path === '/fhir/Goal/big') {
      // Says up front that it is too big.
      res.writeHead(200, { 'content-type': 'application/fhir+json', 'content-length': String(64 * 1024 * 1024) });
      res.write('{"resourceType":"Goal",');
      return; // and never sends the rest
    }
    if (path === '/fhir/Goal/slow') {
      // Headers at once, then a byte now and then, for ever.
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.write('{');
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/fhir+json' });
    res.end('{"resourceType":"OperationOutcome","issue":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
});

afterAll(async () => {
  for (const res of open) res.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('an answer larger than the cap', () => {
  it('is given up once the cap is reached, without reading the rest', async () => {
    const remote = new RemoteServer(base, { timeoutMs: 20_000, maxBytes: 256 * 1024 });
    const err = await remote.changedSince('Goal', new Date(0), 10).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteUnavailable);
    expect((err as Error).message).toMatch(/larger than/);
    await expect.poll(() => sent.length).toBe(1);
    // The server could not push all 8 MB: the client stopped reading near the cap (plus what sockets buffer).
    expect(sent[0]!).toBeLessThan(8 * 1024 * 1024);
  });

  it('announced by Content-Length, is refused before any of it is read', async () => {
    const remote = new RemoteServer(base, { timeoutMs: 20_000, maxBytes: 256 * 1024 });
    const err = await remote.read('Goal', 'big').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteUnavailable);
    expect((err as Error).message).toMatch(/larger than/);
  });
});

describe('an answer that does not finish', () => {
  it('is given up when the time limit passes, also when its headers came in time', async () => {
    const remote = new RemoteServer(base, { timeoutMs: 300 });
    const err = await remote.read('Goal', 'slow').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteUnavailable);
    expect((err as Error).message).toMatch(/no answer in time/);
  });
});
