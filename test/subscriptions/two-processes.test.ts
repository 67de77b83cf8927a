/**
 * Issue 14: two samplan processes on one database each run a dispatcher;
 * they take turns through a lease, so each change is sent once, not once per
 * process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.ts';
import { careScene, retitle, startReceiver, startSamplan, subscribe, subscription, until, type Receiver } from './support.ts';

let a: TestServer;
let b: TestServer;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  a = await startSamplan();
  b = await startSamplan({}, { db: a.db });
});
afterAll(async () => {
  await b?.close({ keepDatabase: true });
  await a?.close();
  await receiver?.stop();
});

describe('two processes on one database', () => {
  it('send each change once', { timeout: 120_000 }, async () => {
    const scene = await careScene(a, 'tp-pat', ['Practitioner/tp-anna']);
    await subscribe(a, subscription(`CarePlan?patient=${scene.patient}`, receiver.url));
    // Writes through both processes.
    const versions = [await retitle(a, scene.plan, 'Via A'), await retitle(b, scene.plan, 'Via B'), await retitle(a, scene.plan, 'Via A igen')];
    await until(() => receiver.events().length >= 3, 'the notifications');
    const last = await retitle(b, scene.plan, 'Sist, via B');
    await until(() => receiver.events().length >= 4, 'the last notification');
    expect(receiver.events()).toEqual([...versions, last].map((v) => `PUT ${scene.plan}/_history/${v}`));
  });
});
