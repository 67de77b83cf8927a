/**
 * Issue 14: while the receiver is down, changes wait in the queue and are
 * retried with back-off; once it is back, each arrives once, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from '../../src/subscriptions/index.ts';
import type { TestServer } from '../support/server.ts';
import { careScene, retitle, startReceiver, startSamplan, subscribe, subscription, until, type Receiver } from './support.ts';

let s: TestServer;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  // Never `error` here: this test is about waiting out an outage.
  s = await startSamplan({ SAMPLAN_SUBSCRIPTION_MAX_FAILURES: '1000' });
});
afterAll(async () => {
  await s?.close();
  await receiver?.stop();
});

describe('a receiver outage', () => {
  it('delays the notifications, which then arrive once each and in order', { timeout: 120_000 }, async () => {
    const scene = await careScene(s, 'out-pat', ['Practitioner/out-anna']);
    const sub = await subscribe(s, subscription(`CarePlan?patient=${scene.patient}`, receiver.url));
    await receiver.stop();
    const during = [await retitle(s, scene.plan, 'Under avbrottet 1'), await retitle(s, scene.plan, 'Under avbrottet 2'), await retitle(s, scene.plan, 'Under avbrottet 3')];
    const queue = new Queue(s.db.models.connection);
    await until(async () => (await queue.state(sub.id!)).failures >= 2, 'retries against the stopped receiver');
    expect((await queue.state(sub.id!)).lastError).toMatch(/could not reach the endpoint/);
    expect((await queue.waiting(sub.id!)).length).toBe(3);

    await receiver.start(); // the same port
    await until(() => receiver.events().length >= 3, 'the waiting notifications');
    const after = await retitle(s, scene.plan, 'Efter avbrottet');
    await until(() => receiver.events().length >= 4, 'the next notification');
    expect(receiver.events()).toEqual([...during, after].map((v) => `PUT ${scene.plan}/_history/${v}`));
    expect((await queue.state(sub.id!)).failures).toBe(0);
    expect((await (await s.request(`/fhir/Subscription/${sub.id}`)).json()) as fhir4.Subscription).toMatchObject({ status: 'active' });
  });
});
