/**
 * The conformance resources in profiles/: valid FHIR R4 themselves, named as
 * canonical.ts says, every constraint well formed and compiled, and the
 * review-due SearchParameter evaluating to the follow-up date.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { describe, expect, it } from 'vitest';
import {
  BASE,
  CODE_SYSTEM,
  EXTENSION,
  MEASURE,
  OPERATION,
  PROFILE,
  SEARCH_PARAMETER,
  VALUE_SET,
  conformanceResources,
  searchParameters,
  supportedProfiles,
} from '../../src/validation/index.ts';
import { getRegistry } from '../../src/validation/profiles.ts';
import { createSchemaSet } from '../../src/validation/schema.ts';
import { structureIssuesWith } from './support.ts';

const DIR = new URL('../../profiles/', import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
type Conformance = { resourceType: string; id: string; url: string; differential?: { element: fhir4.ElementDefinition[] } };
const resources = files.map((f) => [f, JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as Conformance] as const);
const schemas = createSchemaSet(['StructureDefinition', 'CodeSystem', 'ValueSet', 'SearchParameter', 'OperationDefinition', 'Measure']);

describe('profiles/', () => {
  it.each(resources)('%s is valid FHIR R4, named <Type>-<id>.json, with a samplan canonical URL', (file, r) => {
    expect(structureIssuesWith(schemas, r)).toEqual([]);
    expect(file).toBe(`${r.resourceType}-${r.id}.json`);
    expect(r.url).toBe(`${BASE}/${r.resourceType}/${r.id}`);
  });

  it('defines every canonical URL canonical.ts names, and nothing unnamed', () => {
    const named = [...Object.values(PROFILE), ...Object.values(EXTENSION), ...Object.values(CODE_SYSTEM), ...Object.values(VALUE_SET), ...Object.values(SEARCH_PARAMETER), ...Object.values(OPERATION), ...Object.values(MEASURE)];
    expect(resources.map(([, r]) => r.url).sort()).toEqual([...named].sort());
  });

  it('gives every constraint a unique key, a severity, a human text and an expression that compiles', () => {
    const keys = new Set<string>();
    for (const [, r] of resources) {
      for (const el of r.differential?.element ?? []) {
        for (const c of el.constraint ?? []) {
          expect(keys.has(c.key), c.key).toBe(false);
          keys.add(c.key);
          expect(c.key).toMatch(/^spl-[a-z]+-\d+$/);
          expect(['error', 'warning']).toContain(c.severity);
          expect(c.human.length).toBeGreaterThan(10);
          expect(c.source).toBe(r.url);
          expect(() => fhirpath.compile({ base: el.path, expression: c.expression ?? '' }, r4)).not.toThrow();
        }
      }
    }
    expect(keys.size).toBeGreaterThan(40);
  });

  it('loads into the registry with its rules compiled', () => {
    const { profiles, codeSystems, coreRules } = getRegistry();
    expect(profiles.get(PROFILE.sip)?.rules.length).toBeGreaterThan(5);
    expect(profiles.get(PROFILE.carePlan)?.cardinalities.map((c) => c.path)).toEqual(['CarePlan.activity.detail', 'CarePlan.activity.detail.performer']);
    expect([...(codeSystems.get(CODE_SYSTEM.careTeamRole) ?? [])]).toEqual(['coordinator', 'contact-person', 'member', 'patient', 'next-of-kin']);
    expect(coreRules.map((r) => r.key)).toEqual(expect.arrayContaining(['cpl-3', 'ext-1', 'dom-2', 'org-1', 'gol-1']));
    expect(conformanceResources()).toHaveLength(files.length);
  });

  it('lists the profiles per type and the search parameter for the CapabilityStatement', () => {
    expect(supportedProfiles()).toEqual({
      CarePlan: [PROFILE.carePlan, PROFILE.individuellPlan, PROFILE.patientkontrakt, PROFILE.sip],
      CareTeam: [PROFILE.careTeam],
      Goal: [PROFILE.goal],
      Provenance: [PROFILE.agreementProvenance],
    });
    expect(searchParameters().map((p) => p.url).sort()).toEqual([SEARCH_PARAMETER.agreementStatus, SEARCH_PARAMETER.reviewDue, SEARCH_PARAMETER.subscriptionOwner, SEARCH_PARAMETER.syncConflict].sort());
  });

  it('maps care-team roles to the verified SNOMED CT / HL7 codes only', () => {
    const vs = resources.find(([, r]) => r.url === VALUE_SET.careTeamRole)?.[1] as unknown as fhir4.ValueSet;
    const sct = vs.compose?.include.find((i) => i.system === 'http://snomed.info/sct');
    expect(sct?.concept?.map((c) => `${c.code} ${c.display}`)).toEqual(['768820003 Care coordinator (occupation)', '116154003 Patient (person)']);
  });

  it('review-due evaluates to the next follow-up date', () => {
    const sp = resources.find(([, r]) => r.url === SEARCH_PARAMETER.reviewDue)?.[1] as unknown as fhir4.SearchParameter;
    expect(sp).toMatchObject({ code: 'review-due', type: 'date', base: ['CarePlan'] });
    const plan = { resourceType: 'CarePlan', extension: [{ url: EXTENSION.nextReview, valueDate: '2026-03-12' }, { url: EXTENSION.coordinator, valueReference: { reference: 'Practitioner/1' } }] };
    expect(fhirpath.evaluate(plan, sp.expression ?? '', {}, r4)).toEqual(['2026-03-12']);
    expect(fhirpath.evaluate({ resourceType: 'CarePlan' }, sp.expression ?? '', {}, r4)).toEqual([]);
  });
});
