/**
 * Issue 14: a Subscription is its owner's alone. Others — another system
 * client, a practitioner, a patient — neither read nor find it (404, empty
 * search), patients make none, and the owner recorded on it is the caller,
 * whatever the body claims. The status is the server's: a client's `active`
 * is a request until the handshake. Subscriptions are in the CapabilityStatement.
 */
import { describe, expect, it } from 'vitest';
import { OWNER_EXTENSION } from '../../src/subscriptions/index.ts';
import { receiverAndSamplan, subscription } from './support.ts';

const t = receiverAndSamplan();

const count = async (path: string, auth: string): Promise<number> => ((await (await t.s.request(path, { auth })).json()) as fhir4.Bundle).entry?.length ?? 0;

describe('Subscriptions are their owner’s', () => {
  it('are read, searched and changed by their owner only', async () => {
    const owner = await t.s.token({ kind: 'system', sub: 'ehr-region' });
    const other = await t.s.token({ kind: 'system', sub: 'ehr-municipality' });
    const practitioner = await t.s.token({ kind: 'practitioner', fhirUser: 'Practitioner/oo-anna' });
    const forged = { url: OWNER_EXTENSION, extension: [{ url: 'sub', valueString: 'ehr-municipality' }, { url: 'kind', valueCode: 'system' }] };
    const res = await t.s.request('/fhir/Subscription', { method: 'POST', auth: owner, json: subscription('CarePlan?status=active', t.receiver.url, { status: 'active', extension: [forged] }) });
    const created = (await res.json()) as fhir4.Subscription;
    expect(res.status, JSON.stringify(created)).toBe(201);
    expect(created.status).toBe('requested');
    const recorded = created.extension?.filter((e) => e.url === OWNER_EXTENSION) ?? [];
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.extension?.find((e) => e.url === 'sub')?.valueString).toBe('ehr-region');

    // What samplan stored is valid against its own definitions (the owner extension is a samplan profile).
    const validated = (await (await t.s.request('/fhir/Subscription/$validate', { method: 'POST', json: created })).json()) as fhir4.OperationOutcome;
    expect(validated.issue.filter((i) => i.severity === 'error')).toEqual([]);

    const path = `/fhir/Subscription/${created.id}`;
    expect((await t.s.request(path, { auth: owner })).status).toBe(200);
    for (const auth of [other, practitioner]) {
      expect((await t.s.request(path, { auth })).status).toBe(404);
      expect(await count('/fhir/Subscription?status=requested,active', auth)).toBe(0);
      expect((await t.s.request(path, { method: 'DELETE', auth })).status).toBe(404);
    }
    expect(await count('/fhir/Subscription', owner)).toBe(1);
    expect(await count('/fhir/Subscription?owner=samplan|ehr-municipality', owner)).toBe(0);
  });

  it('are not made by patients', async () => {
    const patient = await t.s.token({ kind: 'patient', fhirUser: 'Patient/oo-pat', scope: 'patient/*.cruds' });
    const res = await t.s.request('/fhir/Subscription', { method: 'POST', auth: patient, json: subscription('CarePlan?patient=Patient/oo-pat', t.receiver.url) });
    expect(res.status).toBe(403);
  });

  it('are listed in the CapabilityStatement', async () => {
    const cs = (await (await t.s.request('/fhir/metadata', { auth: null })).json()) as fhir4.CapabilityStatement;
    const sub = cs.rest?.[0]?.resource?.find((r) => r.type === 'Subscription');
    expect(sub?.interaction?.map((i) => i.code)).toEqual(expect.arrayContaining(['create', 'read', 'update', 'delete', 'search-type']));
    expect(sub?.searchParam?.map((p) => p.name)).toEqual(expect.arrayContaining(['status', 'type', 'owner']));
  });
});
