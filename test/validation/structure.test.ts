/**
 * Stage 1: the FHIR R4 JSON Schema (trimmed to the accepted types), its
 * compile time, and how ajv errors become FHIR-path issues.
 */
import { describe, expect, it } from 'vitest';
import { buildSchema, schemaCompileMs, warmUp } from '../../src/validation/schema.ts';
import { fhirPath, structureIssues } from '../../src/validation/structure.ts';
import { ACCEPTED_TYPES } from '../../src/validation/index.ts';

const plan = {
  resourceType: 'CarePlan',
  status: 'draft',
  intent: 'plan',
  subject: { reference: 'Patient/p1' },
  activity: [{ detail: { status: 'not-started', description: 'Promenad', performer: [{ reference: 'Patient/p1' }] } }],
};

describe('schema', () => {
  // How long it takes is the benchmark's business, not a test's (a busy machine would fail it): here only "once".
  it('compiles all accepted types once', () => {
    const ms = warmUp();
    console.log(`ajv: compiled ${ACCEPTED_TYPES.length} resource types in ${ms.toFixed(0)} ms`);
    const again = warmUp();
    expect(again).toBe(schemaCompileMs()); // nothing recompiled
    expect(again).toBe(ms);
  });

  it('holds only the definitions reachable from the accepted types', () => {
    const defs = Object.keys(buildSchema().definitions as object);
    for (const t of ACCEPTED_TYPES) expect(defs).toContain(t);
    expect(defs).not.toContain('Observation');
    expect(defs).not.toContain('Project'); // Medplum's own types stay out
    expect(defs.length).toBeLessThan(120);
  });
});

describe('JSON pointer → FHIR path', () => {
  it.each([
    ['', 'CarePlan'],
    ['/status', 'CarePlan.status'],
    ['/activity/2/detail/performer/0', 'CarePlan.activity[2].detail.performer[0]'],
    ['/extension/0/extension/1/valueContactPoint', 'CarePlan.extension[0].extension[1].valueContactPoint'],
  ])('%s', (pointer, path) => {
    expect(fhirPath('CarePlan', pointer)).toBe(path);
  });
});

describe('structure issues', () => {
  it('passes a minimal valid CarePlan', () => {
    expect(structureIssues(plan)).toEqual([]);
  });

  it('refuses what is not a resource', () => {
    expect(structureIssues([])[0]?.code).toBe('structure');
    expect(structureIssues('CarePlan')[0]?.code).toBe('structure');
    expect(structureIssues(null)[0]?.code).toBe('structure');
    expect(structureIssues({ status: 'draft' })[0]).toMatchObject({ code: 'required', expression: ['Resource.resourceType'] });
    expect(structureIssues({ resourceType: 'Observation' })[0]).toMatchObject({ code: 'not-supported' });
  });

  it('reports every problem at once, each at its element', () => {
    const bad = { ...plan, status: 'paused', foo: 1, activity: [{ detail: { status: 'not-started', scheduledString: 5 } }], created: '2025-02-30' };
    const issues = structureIssues(bad).map((i) => `${i.code} ${i.expression?.[0]}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'code-invalid CarePlan.status',
        'structure CarePlan.foo',
        'structure CarePlan.activity[0].detail.scheduledString',
        'value CarePlan.created',
      ]),
    );
  });

  it('knows dates: leap days, partial dates, date-times with zone', () => {
    const at = (created: string): string[] => structureIssues({ ...plan, created }).map((i) => i.code);
    expect(at('2024-02-29')).toEqual([]);
    expect(at('2023-02-29')).toEqual(['value']);
    expect(at('2025')).toEqual([]);
    expect(at('2025-11')).toEqual([]);
    expect(at('2025-11-20T10:00:00+01:00')).toEqual([]);
    expect(at('2025-11-20T10:00:00')).toEqual(['value']); // a time needs a zone
  });

  it('validates accepted contained resources, and only asks others for a resourceType', () => {
    const withGoal = { ...plan, contained: [{ resourceType: 'Goal', id: 'g', lifecycleStatus: 'done', description: { text: 'x' }, subject: { reference: 'Patient/p1' } }] };
    expect(structureIssues(withGoal)).toMatchObject([{ code: 'code-invalid', expression: ['CarePlan.contained[0].lifecycleStatus'] }]);
    const withCondition = { ...plan, contained: [{ resourceType: 'Condition', id: 'c', code: { text: 'Hjärtsvikt' } }] };
    expect(structureIssues(withCondition)).toEqual([]);
  });

  it('keeps integers integral', () => {
    const timing = (frequency: number) => ({ ...plan, activity: [{ detail: { status: 'not-started', scheduledTiming: { repeat: { frequency } } } }] });
    expect(structureIssues(timing(2))).toEqual([]);
    expect(structureIssues(timing(1.5)).map((i) => i.code)).toEqual(['structure']);
    expect(structureIssues(timing(0)).map((i) => i.code)).toEqual(['value']);
  });
});
