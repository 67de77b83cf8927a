/**
 * Issue 14: criteria are searches samplan supports over CarePlan, CareTeam or
 * Goal; anything else is refused with an OperationOutcome (422) pointing at
 * Subscription.criteria, and so are channels samplan does not deliver.
 */
import { describe, expect, it } from 'vitest';
import { receiverAndSamplan, subscription } from './support.ts';

const t = receiverAndSamplan();

async function refused(sub: fhir4.Subscription, expression: string, why: RegExp): Promise<void> {
  const res = await t.s.request('/fhir/Subscription', { method: 'POST', json: sub });
  const outcome = (await res.json()) as fhir4.OperationOutcome;
  expect(res.status, JSON.stringify(outcome)).toBe(422);
  expect(outcome.issue[0]).toMatchObject({ code: 'not-supported', expression: [expression] });
  expect(outcome.issue[0]?.diagnostics).toMatch(why);
}

describe('what a Subscription may ask', () => {
  it('refuses criteria samplan cannot judge', async () => {
    await refused(subscription('Patient?identifier=x', t.receiver.url), 'Subscription.criteria', /CarePlan, CareTeam, Goal/);
    await refused(subscription('CarePlan?colour=blue', t.receiver.url), 'Subscription.criteria', /Unknown search parameter 'colour'/);
    await refused(subscription('CarePlan?patient=Patient/p&_include=CarePlan:goal', t.receiver.url), 'Subscription.criteria', /'_include' shapes a search's answer/);
    await refused(subscription('CarePlan?_sort=-date', t.receiver.url), 'Subscription.criteria', /'_sort'/);
  });

  it('refuses channels samplan does not deliver', async () => {
    await refused(subscription('CarePlan?status=active', t.receiver.url, { channel: { type: 'websocket', endpoint: t.receiver.url } }), 'Subscription.channel.type', /rest-hook only/);
    await refused(subscription('CarePlan?status=active', t.receiver.url, { channel: { type: 'rest-hook', endpoint: t.receiver.url, payload: 'application/xml' } }), 'Subscription.channel.payload', /application\/fhir\+json/);
    await refused(subscription('CarePlan?status=active', t.receiver.url, { channel: { type: 'rest-hook', endpoint: t.receiver.url, header: ['Host: elsewhere'] } }), 'Subscription.channel.header[0]', /sets 'Host' itself/);
    await refused(subscription('CarePlan?status=active', t.receiver.url, { channel: { type: 'rest-hook', endpoint: t.receiver.url, header: ['no colon'] } }), 'Subscription.channel.header[0]', /'Name: value'/);
  });

  it('accepts the searches of the issue, and stores nothing refused', async () => {
    for (const criteria of ['CarePlan?patient=Patient/p1', 'CarePlan?care-team=CareTeam/t1', 'CarePlan?status=active', 'CareTeam?participant=Practitioner/x', 'Goal?patient=Patient/p1&lifecycle-status=active']) {
      const res = await t.s.request('/fhir/Subscription', { method: 'POST', json: subscription(criteria, t.receiver.url) });
      expect(res.status, criteria).toBe(201);
    }
    const bundle = (await (await t.s.request('/fhir/Subscription?_count=100')).json()) as fhir4.Bundle;
    expect(bundle.entry?.length).toBe(5);
  });
});
