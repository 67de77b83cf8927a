/**
 * Issue 14: delivery is as the subscription's owner, judged at each
 * notification: a practitioner taken off the team stops hearing about the
 * plan, and every notification — sent or withheld — is in the audit log.
 */
import { describe, expect, it } from 'vitest';
import { Queue } from '../../src/subscriptions/index.ts';
import { careScene, receiverAndSamplan, retitle, subscribe, subscription, until } from './support.ts';

// Never `error` here: the receiver is down for a while.
const t = receiverAndSamplan({ SAMPLAN_SUBSCRIPTION_MAX_FAILURES: '1000' });

async function auditOf(entity: string): Promise<fhir4.AuditEvent[]> {
  const auditor = await t.s.token({ kind: 'system', scope: 'system/AuditEvent.rs' });
  const bundle = (await (await t.s.request(`/fhir/AuditEvent?entity=${entity}&_count=100`, { auth: auditor })).json()) as fhir4.Bundle;
  return (bundle.entry ?? []).map((e) => e.resource as fhir4.AuditEvent);
}

describe('notifications carry only what the owner may read at that moment', () => {
  it('stops notifying a practitioner who left the team, and audits every notification', { timeout: 120_000 }, async () => {
    const bertil = 'Practitioner/ac-bertil';
    const scene = await careScene(t.s, 'ac-pat', ['Practitioner/ac-anna', bertil]);
    const asBertil = await t.s.token({ kind: 'practitioner', fhirUser: bertil });
    const sub = await subscribe(t.s, subscription(`CarePlan?patient=${scene.patient}`, t.receiver.url), asBertil);
    // The owner is the practitioner, from their token.
    const owner = sub.extension?.find((e) => e.url.endsWith('samplan-subscription-owner'));
    expect(owner?.extension?.find((e) => e.url === 'fhirUser')?.valueString).toBe(bertil);

    const v2 = await retitle(t.s, scene.plan, 'Medan Bertil är med');
    await until(() => t.receiver.events().includes(`PUT ${scene.plan}/_history/${v2}`), 'the notification while on the team');

    // A change queued while Bertil is on the team, but not yet sent (the receiver is down) ...
    await t.receiver.stop();
    const v3 = await retitle(t.s, scene.plan, 'Köad medan Bertil är med');
    const queue = new Queue(t.s.db.models.connection);
    const key = (v: string): string => `${sub.id}|${scene.plan}/_history/${v}`;
    await until(async () => (await queue.deliveries.findOne({ _id: key(v3) }))?.queued === sub.id, 'the change queued');

    // ... when the coordinator takes Bertil off the team.
    const asAnna = await t.s.token({ kind: 'practitioner', fhirUser: 'Practitioner/ac-anna' });
    const team = (await (await t.s.request(`/fhir/${scene.team}`, { auth: asAnna })).json()) as fhir4.CareTeam;
    const without = { ...team, participant: team.participant!.filter((p) => p.member?.reference !== bertil) };
    expect((await t.s.request(`/fhir/${scene.team}`, { method: 'PUT', json: without, auth: asAnna })).status).toBe(200);
    await t.receiver.start();
    // Judged again as it is sent: withheld.
    await until(async () => (await queue.deliveries.findOne({ _id: key(v3) }))?.outcome === 'withheld', 'the queued change judged as Bertil');

    // A change after he left is not even queued for him.
    const v4 = await retitle(t.s, scene.plan, 'Efter att Bertil lämnat');
    const versions = t.s.db.models.versions('CarePlan');
    await until(async () => !(await versions.findById(`plan-ac-pat/_history/${v4}`).lean<{ notify?: boolean }>())?.notify, 'the change judged');
    expect(await queue.deliveries.findOne({ _id: key(v4) })).toBeNull();
    expect(t.receiver.events()).toEqual([`PUT ${scene.plan}/_history/${v2}`]);

    // In the audit log, as disclosures to Bertil: the one made (naming the subscription), the one
    // refused (saying which), and any attempt that failed while the receiver was down (outcome 8).
    const notifications = (await auditOf(scene.plan)).filter((e) => e.subtype?.some((c) => c.code === 'subscription-notification'));
    expect(notifications.every((e) => e.agent[0]?.who?.reference === bertil)).toBe(true);
    expect(notifications.map((e) => e.outcome).filter((o) => o !== '8').sort()).toEqual(['0', '4']);
    for (const failed of notifications.filter((e) => e.outcome === '8')) expect(failed.outcomeDesc).toMatch(/^503 Notification not delivered: could not reach the endpoint/);
    expect(notifications.find((e) => e.outcome === '0')?.entity?.some((x) => x.what?.reference === `Subscription/${sub.id}`)).toBe(true);
    expect(notifications.find((e) => e.outcome === '4')?.outcomeDesc).toContain(`Subscription/${sub.id}`);
    // The one made names the patient, so the patient's own view of the log shows it.
    expect(notifications.find((e) => e.outcome === '0')?.entity?.some((x) => x.what?.reference === scene.patient)).toBe(true);
  });
});
