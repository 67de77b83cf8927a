/**
 * Issue 14: a Subscription hears each matching create, update and delete,
 * and nothing else — with the full resource (PUT/DELETE [endpoint]/Type/id)
 * or id-only (an empty POST), after a handshake, with its channel headers.
 * "Nothing else" is shown without a clock: deliveries go in the order of the
 * changes, so once a later matching change has arrived, an earlier
 * non-matching one would have arrived before it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { careScene, planFor, receiverAndSamplan, retitle, startReceiver, subscribe, subscription, until, type Receiver } from './support.ts';

const t = receiverAndSamplan();
/** A second receiver, for an id-only subscription. */
let idOnly: Receiver;
beforeAll(async () => void (idOnly = await startReceiver()));
afterAll(async () => idOnly?.stop());

describe('notifications follow the criteria', () => {
  it('sends matching creates, updates and deletes, and nothing for other changes', { timeout: 120_000 }, async () => {
    const a = await careScene(t.s, 'sm-a', ['Practitioner/sm-anna']);
    const b = await careScene(t.s, 'sm-b', ['Practitioner/sm-anna']);
    const sub = await subscribe(t.s, subscription(`CarePlan?patient=${a.patient}`, t.receiver.url, { channel: { type: 'rest-hook', endpoint: t.receiver.url, payload: 'application/fhir+json', header: ['Authorization: Bearer receiver-secret'] } }));
    expect(sub.status).toBe('active');
    // The handshake: an empty POST to the endpoint, with the channel's headers.
    expect(t.receiver.received[0]).toMatchObject({ method: 'POST', url: '/hook', body: '' });
    expect(t.receiver.received[0]!.headers.authorization).toBe('Bearer receiver-secret');
    await subscribe(t.s, subscription(`CarePlan?care-team=${b.team}`, idOnly.url, { channel: { type: 'rest-hook', endpoint: idOnly.url } }));

    await retitle(t.s, a.plan, 'Plan A, andra versionen'); // a v2: matches the first
    await retitle(t.s, b.plan, 'Plan B, andra versionen'); // b v2: matches only the second
    const other = planFor('plan-sm-a2', a.patient, a.team);
    expect((await t.s.request(`/fhir/CarePlan/${other.id}`, { method: 'PUT', json: other })).status).toBe(201); // a new plan of A: matches the first
    const team = (await (await t.s.request(`/fhir/${a.team}`)).json()) as fhir4.CareTeam;
    expect((await t.s.request(`/fhir/${a.team}`, { method: 'PUT', json: { ...team, name: 'Nytt namn' } })).status).toBe(200); // a CareTeam: matches neither
    expect((await t.s.request(`/fhir/${a.plan}`, { method: 'DELETE' })).status).toBe(204); // a deletion of a matching plan
    await retitle(t.s, b.plan, 'Plan B, tredje versionen'); // the last change, for the second

    await until(() => t.receiver.events().length >= 3 && idOnly.events().length >= 2, 'the notifications');
    expect(t.receiver.events()).toEqual([`PUT ${a.plan}/_history/2`, 'PUT CarePlan/plan-sm-a2/_history/1', `DELETE ${a.plan}/_history/3`]);
    expect(idOnly.events()).toEqual([`POST ${b.plan}/_history/2`, `POST ${b.plan}/_history/3`]);

    const [put, created, deleted] = t.receiver.received.filter((r) => r.headers['x-samplan-event']);
    expect(put!.url).toBe('/hook/CarePlan/plan-sm-a');
    expect(put!.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(put!.headers.authorization).toBe('Bearer receiver-secret');
    const body = JSON.parse(put!.body) as fhir4.CarePlan;
    expect([body.resourceType, body.id, body.meta?.versionId, body.title]).toEqual(['CarePlan', 'plan-sm-a', '2', 'Plan A, andra versionen']);
    expect(created!.url).toBe('/hook/CarePlan/plan-sm-a2');
    expect([deleted!.url, deleted!.body]).toEqual(['/hook/CarePlan/plan-sm-a', '']);
    // id-only: an empty POST to the endpoint itself.
    expect(idOnly.received.filter((r) => r.headers['x-samplan-event']).map((r) => [r.url, r.body])).toEqual([['/hook', ''], ['/hook', '']]);
  });
});
