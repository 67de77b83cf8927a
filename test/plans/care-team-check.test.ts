/**
 * A plan's coordinator and contact persons must be participants of its
 * CareTeam when the team is known here: refused with 422 business-rule at the
 * extension otherwise. A team written in the same transaction counts.
 */
import { describe, expect, it } from 'vitest';
import { FhirError } from '../../src/errors.ts';
import { assertStaffOnCareTeam, localReference, type Pending, type RelatedReader } from '../../src/plans/index.ts';
import { storedPatientkontrakt } from './fixtures.ts';

const BASE = 'https://samplan.example/fhir';
const CONTACT = 'CarePlan.extension[0].extension[0].value';
const COORDINATOR = 'CarePlan.extension[1].value';

const team = (...members: string[]): fhir4.CareTeam & { id: string } => ({
  resourceType: 'CareTeam',
  id: 'careteam-1',
  subject: { reference: 'Patient/patient-1' },
  participant: members.map((reference) => ({ member: { reference } })),
});

/** A reader over fixed resources, recording what it was asked. */
function reader(...resources: (fhir4.FhirResource & { id: string })[]): RelatedReader & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async read(type, id) {
      asked.push(`${type}/${id}`);
      return resources.find((r) => r.resourceType === type && r.id === id);
    },
  };
}

const NONE: Pending = new Map();
/** The patientkontrakt: contact person and coordinator Practitioner/practitioner-1, team CareTeam/careteam-1. */
const plan = (change: (p: fhir4.CarePlan) => void = () => undefined): fhir4.CarePlan => {
  const p = storedPatientkontrakt();
  change(p);
  return p;
};
const setCoordinator = (reference: string) => (p: fhir4.CarePlan): void => void (p.extension![1]!.valueReference = { reference });

async function refusal(p: Promise<void>): Promise<FhirError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(FhirError);
  return err as FhirError;
}

describe('assertStaffOnCareTeam', () => {
  it('accepts a plan whose coordinator and contact person are on its team', async () => {
    await expect(assertStaffOnCareTeam(plan(), undefined, reader(team('Patient/patient-1', 'Practitioner/practitioner-1')), NONE, BASE)).resolves.toBeUndefined();
  });

  it('refuses a coordinator who is not on the team: 422, business-rule, at the extension', async () => {
    const err = await refusal(assertStaffOnCareTeam(plan(setCoordinator('Practitioner/practitioner-9')), undefined, reader(team('Practitioner/practitioner-1')), NONE, BASE));
    expect(err.status).toBe(422);
    expect(err.outcome.issue).toHaveLength(1);
    expect(err.outcome.issue[0]).toMatchObject({ severity: 'error', code: 'business-rule', expression: [COORDINATOR] });
    expect(err.outcome.issue[0]?.diagnostics).toContain('coordinator Practitioner/practitioner-9');
    expect(err.outcome.issue[0]?.diagnostics).toContain('CareTeam/careteam-1');
  });

  it('refuses a contact person who is not on the team, at the party of the extension', async () => {
    const err = await refusal(assertStaffOnCareTeam(plan(), undefined, reader(team('Patient/patient-1')), NONE, BASE));
    expect(err.outcome.issue.map((i) => [i.code, i.expression?.[0]])).toEqual([
      ['business-rule', CONTACT],
      ['business-rule', COORDINATOR],
    ]);
    expect(err.outcome.issue[0]?.diagnostics).toContain('contact person Practitioner/practitioner-1 (Anna Exempel)');
  });

  it('uses the team as a transaction writes it: a member added there counts, a team deleted there is gone', async () => {
    const pending: Pending = new Map([['CareTeam/careteam-1', team('Practitioner/practitioner-1')]]);
    const stored = reader(team('Patient/patient-1'));
    await expect(assertStaffOnCareTeam(plan(), undefined, stored, pending, BASE)).resolves.toBeUndefined();
    expect(stored.asked).toEqual([]);
    const err = await refusal(assertStaffOnCareTeam(plan(), undefined, stored, new Map([['CareTeam/careteam-1', null]]), BASE));
    expect(err.outcome.issue.map((i) => i.expression?.[0])).toEqual([CONTACT, COORDINATOR, 'CarePlan.careTeam[0]']);
  });

  it('refuses when the team is not known here, saying so at the careTeam reference', async () => {
    const err = await refusal(assertStaffOnCareTeam(plan(), undefined, reader(), NONE, BASE));
    const last = err.outcome.issue.at(-1);
    expect(last?.expression).toEqual(['CarePlan.careTeam[0]']);
    expect(last?.diagnostics).toContain('CareTeam/careteam-1, a care team of the plan, is not known here');
    expect(err.outcome.issue[0]?.diagnostics).toContain('is not known here');
  });

  it('does not refuse when a team is on another server or named by display only: the party may be there', async () => {
    const elsewhere = plan((p) => p.careTeam!.push({ reference: 'https://other.example/fhir/CareTeam/t' }));
    await expect(assertStaffOnCareTeam(elsewhere, undefined, reader(team('Patient/patient-1')), NONE, BASE)).resolves.toBeUndefined();
    const byName = plan((p) => (p.careTeam = [{ display: 'Teamet kring Tyra' }]));
    await expect(assertStaffOnCareTeam(byName, undefined, reader(), NONE, BASE)).resolves.toBeUndefined();
  });

  it('reads absolute references to this server as local ones, on both sides', async () => {
    const absolute = plan((p) => {
      p.careTeam = [{ reference: `${BASE}/CareTeam/careteam-1` }];
      p.extension![1]!.valueReference = { reference: `${BASE}/Practitioner/practitioner-1/_history/2` };
    });
    const r = reader(team(`${BASE}/Practitioner/practitioner-1`));
    await expect(assertStaffOnCareTeam(absolute, undefined, r, NONE, BASE)).resolves.toBeUndefined();
    expect(r.asked).toEqual(['CareTeam/careteam-1']);
    expect(localReference(`${BASE}/CareTeam/x`, BASE)).toBe('CareTeam/x');
    expect(localReference('https://other.example/fhir/CareTeam/x', BASE)).toBeUndefined();
    expect(localReference('urn:uuid:0e850645-1ee2-4835-a893-f8eccc3d0ab1', BASE)).toBeUndefined();
  });

  it('counts a PractitionerRole and its Practitioner as the same person, either way round', async () => {
    const role: fhir4.PractitionerRole & { id: string } = { resourceType: 'PractitionerRole', id: 'role-1', practitioner: { reference: 'Practitioner/practitioner-1' } };
    // Plan names the practitioner, team lists their role:
    await expect(assertStaffOnCareTeam(plan(), undefined, reader(team('PractitionerRole/role-1'), role), NONE, BASE)).resolves.toBeUndefined();
    // Plan names the role, team lists the practitioner:
    const byRole = plan((p) => {
      p.extension![0]!.extension![0]!.valueReference = { reference: 'PractitionerRole/role-1' };
      p.extension![1]!.valueReference = { reference: 'PractitionerRole/role-1' };
    });
    await expect(assertStaffOnCareTeam(byRole, undefined, reader(team('Practitioner/practitioner-1'), role), NONE, BASE)).resolves.toBeUndefined();
    // Someone else's role does not count.
    const other: fhir4.PractitionerRole & { id: string } = { resourceType: 'PractitionerRole', id: 'role-2', practitioner: { reference: 'Practitioner/practitioner-2' } };
    await refusal(assertStaffOnCareTeam(plan(), undefined, reader(team('PractitionerRole/role-2'), other), NONE, BASE));
  });

  it('checks a contained CareTeam', async () => {
    const contained = plan((p) => {
      p.contained = [{ ...team('Practitioner/practitioner-1'), id: 'team' }];
      p.careTeam = [{ reference: '#team' }];
    });
    await expect(assertStaffOnCareTeam(contained, undefined, reader(), NONE, BASE)).resolves.toBeUndefined();
  });

  it('does not look when coordinator, contact persons and teams are as stored (e.g. progress), or when there are none', async () => {
    const r = reader();
    const stored = plan();
    await expect(assertStaffOnCareTeam(plan((p) => (p.note = [{ text: 'Ny anteckning' }])), stored, r, NONE, BASE)).resolves.toBeUndefined();
    const none = plan((p) => (p.extension = p.extension!.slice(2)));
    await expect(assertStaffOnCareTeam(none, undefined, r, NONE, BASE)).resolves.toBeUndefined();
    expect(r.asked).toEqual([]);
    // A changed coordinator is checked even on an update.
    await refusal(assertStaffOnCareTeam(plan(setCoordinator('Practitioner/practitioner-9')), stored, reader(team('Practitioner/practitioner-1')), NONE, BASE));
  });

  it('skips parties named only by display', async () => {
    const unnamed = plan((p) => {
      p.extension![0]!.extension![0]!.valueReference = { display: 'Anna Exempel' };
      p.extension![1]!.valueReference = { display: 'Anna Exempel' };
    });
    const r = reader();
    await expect(assertStaffOnCareTeam(unnamed, undefined, r, NONE, BASE)).resolves.toBeUndefined();
    expect(r.asked).toEqual([]);
  });

  describe('cannot be talked past', () => {
    const outsider = setCoordinator('Practitioner/practitioner-9');
    const onTeam = reader(team('Practitioner/practitioner-1'), { resourceType: 'Organization', id: 'org-1' });
    it('by adding a team that is only a name', async () => {
      const p = plan((x) => {
        outsider(x);
        x.careTeam = [...(x.careTeam ?? []), { display: 'Teamet i kommunen' }];
      });
      expect((await refusal(assertStaffOnCareTeam(p, undefined, onTeam, NONE, BASE))).status).toBe(422);
    });

    it('by naming a local record that is not a CareTeam as a team', async () => {
      const p = plan((x) => {
        outsider(x);
        x.careTeam = [...(x.careTeam ?? []), { reference: 'Organization/org-1' }];
      });
      expect((await refusal(assertStaffOnCareTeam(p, undefined, onTeam, NONE, BASE))).status).toBe(422);
    });

    it('by a participation that has ended, or a team entered in error', async () => {
      const ended = team('Practitioner/practitioner-1');
      ended.participant![0]!.period = { start: '2000-01-01', end: '2001-12-31' };
      expect((await refusal(assertStaffOnCareTeam(plan(), undefined, reader(ended), NONE, BASE))).status).toBe(422);
      const wrong = { ...team('Practitioner/practitioner-1'), status: 'entered-in-error' as const };
      expect((await refusal(assertStaffOnCareTeam(plan(), undefined, reader(wrong), NONE, BASE))).status).toBe(422);
    });

    it('while a team on another server is still beyond judging here', async () => {
      const p = plan((x) => {
        outsider(x);
        x.careTeam = [...(x.careTeam ?? []), { reference: 'https://other.example/fhir/CareTeam/t9' }];
      });
      await expect(assertStaffOnCareTeam(p, undefined, onTeam, NONE, BASE)).resolves.toBeUndefined();
    });
  });
});
