/**
 * Issue 14: a Subscription is not a way to make samplan call arbitrary
 * hosts. An endpoint the configuration does not allow is refused with an
 * OperationOutcome (422) and nothing is stored or called: a host not listed
 * in SAMPLAN_SUBSCRIPTION_HOSTS, plain http to anything but loopback, http at
 * all in production, and a listed name that resolves to an internal address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.ts';
import { careScene, readSubscription, retitle, startReceiver, startSamplan, subscribe, subscription, until, type Receiver } from './support.ts';

let receiver: Receiver;
const servers: TestServer[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await receiver?.stop();
});

async function refused(s: TestServer, endpoint: string, why: RegExp): Promise<void> {
  const res = await s.request('/fhir/Subscription', { method: 'POST', json: subscription('CarePlan?status=active', endpoint) });
  const outcome = (await res.json()) as fhir4.OperationOutcome;
  expect(res.status, JSON.stringify(outcome)).toBe(422);
  expect(outcome.issue[0]?.expression).toEqual(['Subscription.channel.endpoint']);
  expect(outcome.issue[0]?.diagnostics).toMatch(why);
}

async function stored(s: TestServer): Promise<number> {
  return ((await (await s.request('/fhir/Subscription')).json()) as fhir4.Bundle).entry?.length ?? 0;
}

describe('endpoints the configuration does not allow', () => {
  it('are refused in development', { timeout: 60_000 }, async () => {
    const s = await startSamplan({ SAMPLAN_SUBSCRIPTION_HOSTS: '127.0.0.1,ehr.example.se' });
    servers.push(s);
    await refused(s, 'https://attacker.example.org/hook', /does not notify 'attacker\.example\.org'/);
    await refused(s, `http://10.0.0.1:${receiver.port}/hook`, /plain http is allowed only to a loopback host/);
    await refused(s, 'http://ehr.example.se/hook', /plain http is allowed only to a loopback host/);
    await refused(s, `http://127.0.0.2:${receiver.port}/hook`, /does not notify '127\.0\.0\.2'/);
    await refused(s, 'ftp://ehr.example.se/hook', /must be an https URL/);
    await refused(s, 'https://user:secret@ehr.example.se/hook', /credentials belong in channel\.header/);
    expect(await stored(s)).toBe(0);
    expect(receiver.received).toEqual([]);
  });

  it('are refused when a listed name resolves to an internal address the list does not name', { timeout: 60_000 }, async () => {
    const s = await startSamplan({ SAMPLAN_SUBSCRIPTION_HOSTS: 'localhost' });
    servers.push(s);
    await refused(s, `http://localhost:${receiver.port}/hook`, /resolves to .*an internal address/);
    expect(await stored(s)).toBe(0);
    expect(receiver.received).toEqual([]);
  });

  it('are refused when nothing is listed', { timeout: 60_000 }, async () => {
    const s = await startSamplan({ SAMPLAN_SUBSCRIPTION_HOSTS: '' });
    servers.push(s);
    await refused(s, receiver.url, /SAMPLAN_SUBSCRIPTION_HOSTS is empty/);
    expect(receiver.received).toEqual([]);
  });

  it('are https only in production', { timeout: 60_000 }, async () => {
    const s = await startSamplan({ NODE_ENV: 'production' });
    servers.push(s);
    await refused(s, receiver.url, /https only/);
    expect(await stored(s)).toBe(0);
    expect(receiver.received).toEqual([]);
  });

  it('are refused at delivery too, when the configuration no longer allows them', { timeout: 120_000 }, async () => {
    const before = await startSamplan();
    const scene = await careScene(before, 'rl-pat', ['Practitioner/rl-anna']);
    const sub = await subscribe(before, subscription(`CarePlan?patient=${scene.patient}`, receiver.url));
    const handshakes = receiver.received.length;
    await before.close({ keepDatabase: true });
    // Restarted with a list that no longer names the receiver's address.
    const after = await startSamplan({ SAMPLAN_SUBSCRIPTION_HOSTS: 'ehr.example.se', SAMPLAN_SUBSCRIPTION_MAX_FAILURES: '1' }, { db: before.db });
    servers.push(after);
    await retitle(after, scene.plan, 'Efter den nya listan');
    await until(async () => (await readSubscription(after, sub.id!)).status === 'error', 'the subscription in error');
    expect((await readSubscription(after, sub.id!)).error).toMatch(/does not notify '127\.0\.0\.1'/);
    expect(receiver.received.length).toBe(handshakes);
  });
});
