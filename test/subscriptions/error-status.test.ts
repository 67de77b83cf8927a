/**
 * Issue 14: an endpoint that keeps failing turns its Subscription `error`,
 * with Subscription.error saying why (https://hl7.org/fhir/R4/subscription.html#errors);
 * so does a failed handshake. The owner asks again with `requested`.
 */
import { describe, expect, it } from 'vitest';
import { careScene, readSubscription, receiverAndSamplan, retitle, startReceiver, subscribe, subscription, until } from './support.ts';

const t = receiverAndSamplan({ SAMPLAN_SUBSCRIPTION_MAX_FAILURES: '3' });

describe('Subscription.status error', () => {
  it('follows repeated failed deliveries, and a new request delivers what waited', { timeout: 120_000 }, async () => {
    const scene = await careScene(t.s, 'err-pat', ['Practitioner/err-anna']);
    const sub = await subscribe(t.s, subscription(`CarePlan?patient=${scene.patient}`, t.receiver.url));
    t.receiver.status = 500;
    const v = await retitle(t.s, scene.plan, 'Mottagaren svarar 500');
    await until(async () => (await readSubscription(t.s, sub.id!)).status === 'error', 'the subscription in error');
    const failed = await readSubscription(t.s, sub.id!);
    expect(failed.error).toMatch(/3 times in a row.*answered 500/);
    const attempts = t.receiver.received.filter((r) => r.headers['x-samplan-event']).length;
    expect(attempts).toBe(3);

    // The owner asks for it again: a new handshake, then what waited.
    t.receiver.status = 200;
    const put = await t.s.request(`/fhir/Subscription/${sub.id}`, { method: 'PUT', json: { ...failed, status: 'requested' } });
    expect(put.status, await put.clone().text()).toBe(200);
    await until(() => t.receiver.events().length > attempts, 'the delivery after the new request');
    expect(t.receiver.events().at(-1)).toBe(`PUT ${scene.plan}/_history/${v}`);
    const again = await readSubscription(t.s, sub.id!);
    expect([again.status, again.error]).toEqual(['active', undefined]);
  });

  it('follows a failed handshake', { timeout: 60_000 }, async () => {
    const gone = await startReceiver();
    await gone.stop(); // nothing listens at its address any more
    const res = await t.s.request('/fhir/Subscription', { method: 'POST', json: subscription('CarePlan?status=active', gone.url) });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as fhir4.Subscription;
    await until(async () => (await readSubscription(t.s, id!)).status === 'error', 'the subscription in error');
    expect((await readSubscription(t.s, id!)).error).toMatch(/handshake.*could not reach/);
  });
});
