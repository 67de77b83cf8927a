/** Care team membership and patient compartment decisions (issue 5, "Authorisation"). */
import { describe, expect, it } from 'vitest';
import { dateRange, isActiveParticipant, isPatientOf, periodCovers, subjectOf } from '../../src/auth/membership.ts';
import { parseScopes } from '../../src/auth/scopes.ts';
import type { Principal } from '../../src/auth/principal.ts';

const NOW = new Date('2025-06-15T12:00:00Z');

function practitioner(fhirUser: string, organization?: string): Principal {
  const p: Principal = { kind: 'practitioner', sub: fhirUser, fhirUser, scope: 'user/*.cruds', scopes: parseScopes('user/*.cruds') };
  if (organization) p.organization = organization;
  return p;
}
const patient: Principal = { kind: 'patient', sub: 'p1', fhirUser: 'Patient/p1', scope: 'patient/*.rs', scopes: parseScopes('patient/*.rs') };
const system: Principal = { kind: 'system', sub: 'sync', scope: 'system/*.cruds', scopes: parseScopes('system/*.cruds') };

type Participant = fhir4.CareTeamParticipant;
function team(participant: Participant[], status: fhir4.CareTeam['status'] = 'active'): fhir4.CareTeam {
  return { resourceType: 'CareTeam', id: 't1', status, subject: { reference: 'Patient/p1' }, participant };
}

describe('isActiveParticipant', () => {
  const dr = practitioner('Practitioner/dr-a', 'Organization/region');

  const cases: [string, fhir4.CareTeam, Principal, string | undefined, boolean][] = [
    ['member by fhirUser, no period', team([{ member: { reference: 'Practitioner/dr-a' } }]), dr, undefined, true],
    ['member with a period covering now', team([{ member: { reference: 'Practitioner/dr-a' }, period: { start: '2025-01-01', end: '2025-12-31' } }]), dr, undefined, true],
    ['member with an open end', team([{ member: { reference: 'Practitioner/dr-a' }, period: { start: '2024-01-01T08:00:00+01:00' } }]), dr, undefined, true],
    ['member with an open start', team([{ member: { reference: 'Practitioner/dr-a' }, period: { end: '2026' } }]), dr, undefined, true],
    ['period ending today (date only) still covers today', team([{ member: { reference: 'Practitioner/dr-a' }, period: { end: '2025-06-15' } }]), dr, undefined, true],
    ['expired period', team([{ member: { reference: 'Practitioner/dr-a' }, period: { start: '2024-01-01', end: '2025-06-14' } }]), dr, undefined, false],
    ['expired a second ago', team([{ member: { reference: 'Practitioner/dr-a' }, period: { end: '2025-06-15T11:59:59Z' } }]), dr, undefined, false],
    ['period not started yet', team([{ member: { reference: 'Practitioner/dr-a' }, period: { start: '2025-07-01' } }]), dr, undefined, false],
    ['unreadable period date denies', team([{ member: { reference: 'Practitioner/dr-a' }, period: { end: '15/06/2025' } }]), dr, undefined, false],
    ['another practitioner', team([{ member: { reference: 'Practitioner/dr-b' } }]), dr, undefined, false],
    ['organisation as onBehalfOf of another member', team([{ member: { reference: 'Practitioner/dr-b' }, onBehalfOf: { reference: 'Organization/region' } }]), dr, undefined, true],
    ['organisation as onBehalfOf, participation expired', team([{ member: { reference: 'Practitioner/dr-b' }, onBehalfOf: { reference: 'Organization/region' }, period: { end: '2025-01-01' } }]), dr, undefined, false],
    ['organisation as member', team([{ member: { reference: 'Organization/region' } }]), dr, undefined, true],
    ['another organisation', team([{ member: { reference: 'Organization/kommun' } }]), dr, undefined, false],
    ['organisation of the PractitionerRole (roleOrg)', team([{ member: { reference: 'Organization/kommun' } }]), practitioner('PractitionerRole/role-1'), 'Organization/kommun', true],
    ['PractitionerRole as member', team([{ member: { reference: 'PractitionerRole/role-1' } }]), practitioner('PractitionerRole/role-1'), undefined, true],
    ['absolute and versioned member references', team([{ member: { reference: 'https://fhir.example.se/fhir/Practitioner/dr-a/_history/3' } }]), dr, undefined, true],
    ['identifier-only member never matches', team([{ member: { identifier: { system: 'urn:oid:1.2.752.29.4.19', value: 'dr-a' } } }]), dr, undefined, false],
    ['a second, active participation counts', team([{ member: { reference: 'Practitioner/dr-a' }, period: { end: '2020' } }, { member: { reference: 'Practitioner/dr-a' }, period: { start: '2025-06-01' } }]), dr, undefined, true],
    ['team inactive', team([{ member: { reference: 'Practitioner/dr-a' } }], 'inactive'), dr, undefined, false],
    ['team entered-in-error', team([{ member: { reference: 'Practitioner/dr-a' } }], 'entered-in-error'), dr, undefined, false],
    ['team proposed', team([{ member: { reference: 'Practitioner/dr-a' } }], 'proposed'), dr, undefined, true],
    ['team suspended', team([{ member: { reference: 'Practitioner/dr-a' } }], 'suspended'), dr, undefined, true],
    ['team without participants', team([]), dr, undefined, false],
    ['a patient on the team is not a participant for access', team([{ member: { reference: 'Patient/p1' } }]), patient, undefined, false],
    ['a system principal is never a participant', team([{ member: { reference: 'Organization/region' } }]), system, undefined, false],
  ];

  it.each(cases)('%s', (_name, t, principal, roleOrg, expected) => {
    expect(isActiveParticipant(t, principal, NOW, roleOrg)).toBe(expected);
  });

  it('the principal with no identities is never a participant', () => {
    const nobody: Principal = { kind: 'practitioner', sub: 'x', scope: '', scopes: [] };
    expect(isActiveParticipant(team([{ member: { reference: 'Practitioner/dr-a' } }]), nobody, NOW)).toBe(false);
  });
});

describe('isPatientOf', () => {
  const plan: fhir4.CarePlan = { resourceType: 'CarePlan', status: 'draft', intent: 'plan', subject: { reference: 'Patient/p1' } };
  const goal: fhir4.Goal = { resourceType: 'Goal', lifecycleStatus: 'active', description: { text: 'Bo hemma' }, subject: { reference: 'Patient/p1' } };
  const careTeam: fhir4.CareTeam = { resourceType: 'CareTeam', subject: { reference: 'https://samplan.example/fhir/Patient/p1' } };

  it.each([
    ['own CarePlan', plan, 'Patient/p1', true],
    ['another patient’s CarePlan', plan, 'Patient/p2', false],
    ['own Goal', goal, 'Patient/p1', true],
    ['own CareTeam (absolute subject)', careTeam, 'Patient/p1', true],
    ['own CarePlan, absolute patientRef', plan, 'https://x.example/fhir/Patient/p1', true],
    ['CarePlan without subject', { resourceType: 'CarePlan', status: 'draft', intent: 'plan' }, 'Patient/p1', false],
    ['CareTeam for a Group', { resourceType: 'CareTeam', subject: { reference: 'Group/p1' } }, 'Patient/p1', false],
    ['not a Patient reference', plan, 'Practitioner/p1', false],
    ['garbage patientRef', plan, '', false],
    ['other resource types are not in scope', { resourceType: 'Observation', subject: { reference: 'Patient/p1' } }, 'Patient/p1', false],
  ] as [string, { resourceType: string }, string, boolean][])('%s', (_name, resource, ref, expected) => {
    expect(isPatientOf(resource, ref)).toBe(expected);
  });

  it('subjectOf reads the subject of compartment types only', () => {
    expect(subjectOf(plan)).toBe('Patient/p1');
    expect(subjectOf({ resourceType: 'Patient' })).toBeUndefined();
  });
});

describe('R4 date ranges', () => {
  it.each([
    ['2025', '2025-01-01T00:00:00.000Z', '2025-12-31T23:59:59.999Z'],
    ['2024-02', '2024-02-01T00:00:00.000Z', '2024-02-29T23:59:59.999Z'],
    ['2025-06-15', '2025-06-15T00:00:00.000Z', '2025-06-15T23:59:59.999Z'],
    ['2025-06-15T10:00:00+02:00', '2025-06-15T08:00:00.000Z', '2025-06-15T08:00:00.000Z'],
    ['2025-06-15T10:00:00.5Z', '2025-06-15T10:00:00.500Z', '2025-06-15T10:00:00.500Z'],
  ])('%s', (value, low, high) => {
    const r = dateRange(value)!;
    expect(new Date(r.low).toISOString()).toBe(low);
    expect(new Date(r.high).toISOString()).toBe(high);
  });

  it.each(['2025-13', '2025-02-30', '2025-06-15T25:00:00Z', 'yesterday', '', '0099', '2025-6-1'])('rejects %j', (value) => {
    expect(dateRange(value)).toBeUndefined();
  });

  it('periodCovers with no period is always true', () => {
    expect(periodCovers(undefined, NOW)).toBe(true);
    expect(periodCovers({}, NOW)).toBe(true);
  });
});
