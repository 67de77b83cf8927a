/**
 * Issue 14, "none delivered twice after a crash": a crash after a change was
 * queued (or even sent) but before its `notify` mark was cleared leaves the
 * mark on the version, and the next round judges it again. The delivery's
 * key (subscription and version) was taken by the first fan-out, so nothing
 * is queued or sent a second time.
 */
import { describe, expect, it } from 'vitest';
import { Queue } from '../../src/subscriptions/index.ts';
import { careScene, receiverAndSamplan, retitle, subscribe, subscription, until } from './support.ts';

const t = receiverAndSamplan();

describe('a fan-out redone after a crash', () => {
  it('queues and sends nothing twice', { timeout: 120_000 }, async () => {
    const scene = await careScene(t.s, 'rf-pat', ['Practitioner/rf-anna']);
    const sub = await subscribe(t.s, subscription(`CarePlan?patient=${scene.patient}`, t.receiver.url));
    const first = await retitle(t.s, scene.plan, 'Första');
    await until(() => t.receiver.events().length === 1, 'the first notification');

    // As if the process had died before clearing the mark: the version is marked again.
    const versions = t.s.db.models.versions('CarePlan');
    await versions.updateOne({ _id: `plan-rf-pat/_history/${first}` }, { $set: { notify: true } });
    await until(async () => !(await versions.findById(`plan-rf-pat/_history/${first}`).lean<{ notify?: boolean }>())?.notify, 'the version judged again');

    const second = await retitle(t.s, scene.plan, 'Andra');
    await until(() => t.receiver.events().length >= 2, 'the next notification');
    expect(t.receiver.events()).toEqual([first, second].map((v) => `PUT ${scene.plan}/_history/${v}`));
    const done = await new Queue(t.s.db.models.connection).deliveries.countDocuments({ subscription: sub.id! });
    expect(done).toBe(2);
  });
});
