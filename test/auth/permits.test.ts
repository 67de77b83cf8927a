import { describe, expect, it } from 'vitest';
import { AGREE_SCOPE, hasScope, permits, permittedInteractions } from '../../src/auth/scopes.ts';
import { parseScopes } from '../../src/auth/scopes.ts';
import { servicePrincipal, type Interaction, type Principal, type PrincipalKind } from '../../src/auth/principal.ts';

function principal(kind: PrincipalKind, scope: string): Principal {
  const fhirUser = kind === 'patient' ? 'Patient/p1' : kind === 'practitioner' ? 'Practitioner/x' : undefined;
  const p: Principal = { kind, sub: 's', scope, scopes: parseScopes(scope) };
  if (fhirUser) p.fhirUser = fhirUser;
  return p;
}

type Row = [kind: PrincipalKind, scope: string, type: string, interaction: Interaction, allowed: boolean];

describe('permits: kind × scope × type × interaction', () => {
  const table: Row[] = [
    // patient: patient/ scopes only
    ['patient', 'patient/CarePlan.rs', 'CarePlan', 'r', true],
    ['patient', 'patient/CarePlan.rs', 'CarePlan', 's', true],
    ['patient', 'patient/CarePlan.rs', 'CarePlan', 'u', false],
    ['patient', 'patient/CarePlan.rs', 'CarePlan', 'c', false],
    ['patient', 'patient/CarePlan.rs', 'CarePlan', 'd', false],
    ['patient', 'patient/CarePlan.rs', 'Goal', 'r', false],
    ['patient', 'patient/*.rs', 'Goal', 's', true],
    ['patient', 'patient/*.read', 'CareTeam', 'r', true],
    ['patient', 'patient/CarePlan.read', 'CarePlan', 's', true],
    ['patient', 'user/*.cruds', 'CarePlan', 'r', false],
    ['patient', 'system/*.cruds', 'CarePlan', 'r', false],
    ['patient', 'openid fhirUser', 'CarePlan', 'r', false],
    ['patient', '', 'CarePlan', 'r', false],
    // practitioner: user/ scopes only; patient/ is not a licence for anyone's records
    ['practitioner', 'user/*.cruds', 'CarePlan', 'c', true],
    ['practitioner', 'user/*.cruds', 'CareTeam', 'd', true],
    ['practitioner', 'user/*.cruds', 'Goal', 's', true],
    ['practitioner', 'user/CarePlan.rs', 'CarePlan', 'u', false],
    ['practitioner', 'user/CarePlan.rs', 'CareTeam', 'r', false],
    ['practitioner', 'user/CarePlan.write', 'CarePlan', 'u', true],
    ['practitioner', 'user/CarePlan.write', 'CarePlan', 'r', false],
    ['practitioner', 'user/*.*', 'Goal', 'd', true],
    ['practitioner', 'patient/*.cruds', 'CarePlan', 'r', false],
    ['practitioner', 'patient/CarePlan.rs', 'CarePlan', 's', false],
    ['practitioner', 'system/*.cruds', 'CarePlan', 'r', false],
    ['practitioner', 'user/*.dus', 'CarePlan', 'd', false],
    // system: system/ scopes only
    ['system', 'system/*.cruds', 'CarePlan', 'u', true],
    ['system', 'system/*.rs', 'CarePlan', 'u', false],
    ['system', 'system/AuditEvent.rs', 'AuditEvent', 's', true],
    ['system', 'system/AuditEvent.rs', 'CarePlan', 's', false],
    ['system', 'user/*.cruds', 'CarePlan', 'r', false],
    ['system', 'patient/*.cruds', 'CarePlan', 'r', false],
    // whole-system interactions ('*') need a wildcard grant
    ['system', 'system/*.s', '*', 's', true],
    ['system', 'system/CarePlan.s', '*', 's', false],
    ['practitioner', 'user/*.rs', '*', 's', true],
    // grants add up
    ['practitioner', 'user/CarePlan.r user/CarePlan.s user/CarePlan.u', 'CarePlan', 'u', true],
    ['practitioner', 'user/CarePlan.r user/Goal.c', 'Goal', 'c', true],
  ];
  it.each(table)('%s with %j on %s.%s → %s', (kind, scope, type, interaction, allowed) => {
    expect(permits(principal(kind, scope), type, interaction)).toBe(allowed);
  });
});

describe('other scope helpers', () => {
  it('permittedInteractions lists what a type allows', () => {
    expect([...permittedInteractions(principal('practitioner', 'user/CarePlan.write user/*.r'), 'CarePlan')].sort()).toEqual(['c', 'd', 'r', 'u']);
  });

  it('hasScope finds extension scopes such as the $agree ability', () => {
    expect(hasScope(principal('patient', `patient/CarePlan.rs ${AGREE_SCOPE}`), AGREE_SCOPE)).toBe(true);
    expect(hasScope(principal('patient', 'patient/CarePlan.rs'), AGREE_SCOPE)).toBe(false);
    expect(hasScope(principal('patient', `${AGREE_SCOPE}x`), AGREE_SCOPE)).toBe(false);
  });

  it('the service principal may do everything as system', () => {
    const p = servicePrincipal('sync');
    for (const i of ['c', 'r', 'u', 'd', 's'] as const) expect(permits(p, 'CarePlan', i)).toBe(true);
  });
});
