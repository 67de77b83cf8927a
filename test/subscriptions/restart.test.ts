/**
 * Issue 14: the queue outlives samplan. A change queued while the receiver
 * was down, and a change written by a process that stopped before it could
 * queue it (its `notify` mark is all that is left of it), both arrive once
 * after samplan starts again on the same database — and nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from '../../src/subscriptions/index.ts';
import type { Database } from '../../src/store/index.ts';
import { openTestDatabase } from '../support/db.ts';
import type { TestServer } from '../support/server.ts';
import { careScene, retitle, startReceiver, startSamplan, subscribe, subscription, until, type Receiver } from './support.ts';

let db: Database;
let receiver: Receiver;
let last: TestServer | undefined;

beforeAll(async () => {
  receiver = await startReceiver();
  db = await openTestDatabase();
});
afterAll(async () => {
  await last?.close(); // drops the database
  await receiver?.stop();
});

describe('a samplan restart', () => {
  it('loses no change and repeats none', { timeout: 180_000 }, async () => {
    const first = await startSamplan({ SAMPLAN_SUBSCRIPTION_MAX_FAILURES: '1000' }, { db });
    const scene = await careScene(first, 'rs-pat', ['Practitioner/rs-anna']);
    const sub = await subscribe(first, subscription(`CarePlan?patient=${scene.patient}`, receiver.url));
    await receiver.stop();
    const queued = await retitle(first, scene.plan, 'Köad före omstarten');
    const queue = new Queue(db.models.connection);
    await until(async () => (await queue.state(sub.id!)).failures >= 1, 'a failed attempt');
    await first.close({ keepDatabase: true });

    // A process that wrote and went away before its dispatcher judged the change.
    const crashed = await startSamplan({}, { db, subscriptions: false });
    const unjudged = await retitle(crashed, scene.plan, 'Skriven, aldrig köad');
    await crashed.close({ keepDatabase: true });
    expect((await db.models.versions('CarePlan').findById(`plan-rs-pat/_history/${unjudged}`).lean<{ notify?: boolean }>())?.notify).toBe(true);

    await receiver.start();
    last = await startSamplan({ SAMPLAN_SUBSCRIPTION_MAX_FAILURES: '1000' }, { db });
    await until(() => receiver.events().length >= 2, 'the notifications from before the restart');
    const later = await retitle(last, scene.plan, 'Efter omstarten');
    await until(() => receiver.events().length >= 3, 'the next notification');
    expect(receiver.events()).toEqual([queued, unjudged, later].map((v) => `PUT ${scene.plan}/_history/${v}`));
  });
});
