import { describe, expect, it } from 'vitest';
import { parseScope, parseScopes, scopeTokens } from '../../src/auth/scopes.ts';
import type { ScopeGrant } from '../../src/auth/principal.ts';

/** A grant as a compact string `context/type.letters` for table comparison. */
function show(g: ScopeGrant | undefined): string | undefined {
  if (!g) return undefined;
  const letters = ['c', 'r', 'u', 'd', 's'].filter((l) => g.interactions.has(l as 'c')).join('');
  return `${g.context}/${g.type}.${letters}`;
}

describe('parseScope: one token', () => {
  const table: [string, string | undefined][] = [
    // SMART v2
    ['patient/CarePlan.rs', 'patient/CarePlan.rs'],
    ['patient/CarePlan.r', 'patient/CarePlan.r'],
    ['user/*.cruds', 'user/*.cruds'],
    ['system/*.cruds', 'system/*.cruds'],
    ['user/Goal.cu', 'user/Goal.cu'],
    ['user/CareTeam.d', 'user/CareTeam.d'],
    ['system/AuditEvent.rs', 'system/AuditEvent.rs'],
    ['patient/*.s', 'patient/*.s'],
    ['user/CarePlan.cruds', 'user/CarePlan.cruds'],
    ['user/CarePlan.crds', 'user/CarePlan.crds'],
    // SMART v1, mapped as SMART 2.x says: read ⇒ rs, write ⇒ cud, * ⇒ cruds
    ['patient/CarePlan.read', 'patient/CarePlan.rs'],
    ['user/CarePlan.write', 'user/CarePlan.cud'],
    ['user/*.*', 'user/*.cruds'],
    ['patient/*.read', 'patient/*.rs'],
    ['system/*.write', 'system/*.cud'],
    ['system/Goal.*', 'system/Goal.cruds'],
    // out of order / unknown letters / empty: ignored
    ['patient/CarePlan.sr', undefined],
    ['user/*.dus', undefined],
    ['user/*.rw', undefined],
    ['user/*.crudss', undefined],
    ['user/*.', undefined],
    ['user/*', undefined],
    ['user/*.CRUDS', undefined],
    ['user/*.Read', undefined],
    // v2 finer-grained constraints: not enforceable here, so not granted
    ['patient/CarePlan.rs?category=http://example.org|x', undefined],
    // contexts and types
    ['Patient/CarePlan.rs', undefined],
    ['practitioner/*.rs', undefined],
    ['patient/careplan.rs', undefined],
    ['patient/Care-Plan.rs', undefined],
    ['patient/.rs', undefined],
    ['/CarePlan.rs', undefined],
    // identity, launch, refresh and extension scopes: no clinical grant
    ['openid', undefined],
    ['fhirUser', undefined],
    ['profile', undefined],
    ['launch', undefined],
    ['launch/patient', undefined],
    ['offline_access', undefined],
    ['online_access', undefined],
    ['__samplan.agree', undefined],
    ['', undefined],
    ['patient/CarePlan.rs patient/Goal.rs', undefined],
  ];
  it.each(table)('%j → %j', (token, expected) => {
    expect(show(parseScope(token))).toBe(expected);
  });
});

describe('parseScopes: a whole scope string', () => {
  it('keeps what it understands and skips the rest', () => {
    const grants = parseScopes('openid fhirUser launch/patient patient/CarePlan.rs offline_access patient/Goal.read garbage user/*.dus');
    expect(grants.map(show)).toEqual(['patient/CarePlan.rs', 'patient/Goal.rs']);
  });

  it('splits on any whitespace and ignores empty input', () => {
    expect(parseScopes('  user/*.cruds\tsystem/*.rs\n').map(show)).toEqual(['user/*.cruds', 'system/*.rs']);
    expect(parseScopes('')).toEqual([]);
    expect(parseScopes(undefined)).toEqual([]);
  });

  it('accepts an array of scope strings', () => {
    expect(parseScopes(['user/CarePlan.rs', 'user/Goal.c openid']).map(show)).toEqual(['user/CarePlan.rs', 'user/Goal.c']);
  });

  it('scopeTokens keeps every token, understood or not', () => {
    expect(scopeTokens('openid  patient/CarePlan.rs __samplan.agree')).toEqual(['openid', 'patient/CarePlan.rs', '__samplan.agree']);
  });
});
