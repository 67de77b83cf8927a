/**
 * Issue 14: while the receiver is down, changes wait in the queue and are
 * retried with back-off; once it is back, each arrives once, in order.
 */
import { describe, expect, it } from 'vitest';
import { Queue } from '../../src/subscriptions/index.ts';
import { careScene, receiverAndSamplan, retitle, subscribe, subscription, until } from './support.ts';

// Never `error` here: this test is about waiting out an outage.
const t = receiverAndSamplan({ SAMPLAN_SUBSCRIPTION_MAX_FAILURES: '1000' });

describe('a receiver outage', () => {
  it('delays the notifications, which then arrive once each and in order', { timeout: 120_000 }, async () => {
    const scene = await careScene(t.s, 'out-pat', ['Practitioner/out-anna']);
    const sub = await subscribe(t.s, subscription(`CarePlan?patient=${scene.patient}`, t.receiver.url));
    await t.receiver.stop();
    const during = [await retitle(t.s, scene.plan, 'Under avbrottet 1'), await retitle(t.s, scene.plan, 'Under avbrottet 2'), await retitle(t.s, scene.plan, 'Under avbrottet 3')];
    const queue = new Queue(t.s.db.models.connection);
    // All three queued, and tried more than once against the stopped receiver.
    await until(async () => (await queue.state(sub.id!)).failures >= 2 && (await queue.waiting(sub.id!)).length === 3, 'retries of the queued changes');
    expect((await queue.state(sub.id!)).lastError).toMatch(/could not reach the endpoint/);

    await t.receiver.start(); // the same port
    await until(() => t.receiver.events().length >= 3, 'the waiting notifications');
    const after = await retitle(t.s, scene.plan, 'Efter avbrottet');
    await until(() => t.receiver.events().length >= 4, 'the next notification');
    expect(t.receiver.events()).toEqual([...during, after].map((v) => `PUT ${scene.plan}/_history/${v}`));
    expect((await queue.state(sub.id!)).failures).toBe(0);
    expect((await (await t.s.request(`/fhir/Subscription/${sub.id}`)).json()) as fhir4.Subscription).toMatchObject({ status: 'active' });
  });
});
