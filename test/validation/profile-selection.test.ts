/**
 * Which profiles a resource is held to: the one asked for, else meta.profile,
 * else the plan kinds in the category, else the type's base profile.
 */
import { describe, expect, it } from 'vitest';
import { CODE_SYSTEM, PROFILE, selectProfiles, validateDetailed } from '../../src/validation/index.ts';

const kind = (code: string) => ({ coding: [{ system: CODE_SYSTEM.planKind, code }] });
const urls = (r: Parameters<typeof selectProfiles>[0], requested?: string) => selectProfiles(r, requested).profiles.map((p) => p.url);

describe('profile selection', () => {
  it('holds a CarePlan without a kind to the base profile', () => {
    expect(urls({ resourceType: 'CarePlan' })).toEqual([PROFILE.carePlan]);
  });

  it('follows the plan kinds in category, with the base profile they derive from', () => {
    expect(urls({ resourceType: 'CarePlan', category: [kind('sip')] })).toEqual([PROFILE.carePlan, PROFILE.sip]);
    expect(urls({ resourceType: 'CarePlan', category: [kind('individuell-plan')] })).toEqual([PROFILE.carePlan, PROFILE.individuellPlan]);
  });

  it('holds a SIP that is also a patientkontrakt to both', () => {
    expect(urls({ resourceType: 'CarePlan', category: [kind('sip'), kind('patientkontrakt')] })).toEqual([PROFILE.carePlan, PROFILE.sip, PROFILE.patientkontrakt]);
  });

  it('prefers meta.profile over the category', () => {
    expect(urls({ resourceType: 'CarePlan', meta: { profile: [PROFILE.patientkontrakt] }, category: [kind('sip')] })).toEqual([PROFILE.carePlan, PROFILE.patientkontrakt]);
  });

  it('ignores unknown meta.profile entries with a warning, and falls back', () => {
    const s = selectProfiles({ resourceType: 'CarePlan', meta: { profile: ['http://example.org/StructureDefinition/other'] }, category: [kind('sip')] });
    expect(s.profiles.map((p) => p.url)).toEqual([PROFILE.carePlan, PROFILE.sip]);
    expect(s.issues).toMatchObject([{ severity: 'warning', code: 'not-supported', expression: ['CarePlan.meta.profile[0]'] }]);
  });

  it('uses a requested profile, and refuses an unknown one or one for another type', () => {
    expect(urls({ resourceType: 'CarePlan', category: [kind('sip')] }, PROFILE.carePlan)).toEqual([PROFILE.carePlan]);
    expect(selectProfiles({ resourceType: 'CarePlan' }, 'http://example.org/x').issues[0]).toMatchObject({ severity: 'error', code: 'not-supported' });
    expect(selectProfiles({ resourceType: 'Goal' }, PROFILE.careTeam).issues[0]).toMatchObject({ severity: 'error', code: 'structure' });
  });

  it('gives CareTeam and Goal their samplan profiles, and other types none', () => {
    expect(urls({ resourceType: 'CareTeam' })).toEqual([PROFILE.careTeam]);
    expect(urls({ resourceType: 'Goal' })).toEqual([PROFILE.goal]);
    expect(urls({ resourceType: 'Patient' })).toEqual([]);
    expect(urls({ resourceType: 'Provenance' })).toEqual([]);
    expect(urls({ resourceType: 'Provenance', meta: { profile: [PROFILE.agreementProvenance] } })).toEqual([PROFILE.agreementProvenance]);
  });

  it('reports the profiles a validation used', () => {
    const r = validateDetailed({ resourceType: 'CarePlan', status: 'draft', intent: 'plan', subject: { reference: 'Patient/1' }, category: [kind('sip')] });
    expect(r.profiles).toEqual([PROFILE.carePlan, PROFILE.sip]);
    expect(r.structureFailed).toBe(false);
  });
});
