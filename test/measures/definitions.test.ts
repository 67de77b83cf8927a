/**
 * The Measures in profiles/ and their computation (src/measures/definitions.ts)
 * say the same: the same indicators, groups, scoring, populations and
 * stratifiers, every criterion compiles as FHIRPath, and each Measure
 * describes itself in English, Swedish and Norwegian. A Measure added on one side only fails here.
 */
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { describe, expect, it } from 'vitest';
import { MEASURES, measureResource } from '../../src/measures/index.ts';
import { CODE_SYSTEM, conformanceResources } from '../../src/validation/index.ts';

const code = (c: fhir4.CodeableConcept | undefined): string | undefined => c?.coding?.[0]?.code;
const measures = conformanceResources().filter((r): r is fhir4.Measure => r.resourceType === 'Measure');

describe('Measures and their computation', () => {
  it('every Measure in profiles/ is computed, and every computation has its Measure', () => {
    expect(measures.map((m) => m.id).sort()).toEqual(MEASURES.map((m) => m.id).sort());
  });

  for (const def of MEASURES) {
    it(`${def.id}: scoring, groups, populations and stratifiers agree`, () => {
      const m = measureResource(def.id)!;
      expect(m).toMatchObject({ status: 'active', url: `https://samplan.org/fhir/Measure/${def.id}`, version: '1.0.0' });
      expect(code(m.scoring)).toBe(def.scoring);
      expect(m.group?.map((g) => g.id)).toEqual(def.groups.map((g) => g.code));
      for (const g of def.groups) {
        const mg = m.group!.find((x) => x.id === g.code)!;
        expect(mg.code?.coding?.[0]).toMatchObject({ system: CODE_SYSTEM.indicator, code: g.code });
        expect(mg.stratifier?.map((s) => code(s.code))).toEqual(g.stratifiers);
        const populations = mg.population?.map((p) => code(p.code));
        if (def.scoring === 'continuous-variable') expect(populations).toEqual(['initial-population', 'measure-population', 'measure-observation']);
        else if (g.numerator) expect(populations).toEqual(['initial-population', 'denominator', 'numerator']);
        else expect(populations).toEqual(['initial-population']);
      }
    });

    it(`${def.id}: every criterion is FHIRPath that compiles (the HL7 validator does not parse them)`, () => {
      const m = measureResource(def.id)!;
      const criteria = (m.group ?? []).flatMap((g) => [...(g.population ?? []).map((p) => p.criteria), ...(g.stratifier ?? []).flatMap((s) => (s.criteria ? [s.criteria] : []))]);
      expect(criteria.length).toBeGreaterThan(0);
      for (const c of criteria) {
        expect(c.language).toBe('text/fhirpath');
        expect(() => fhirpath.compile(c.expression ?? '', r4), c.expression).not.toThrow();
      }
    });

    it(`${def.id}: described in English, Swedish and Norwegian`, () => {
      const m = measureResource(def.id)!;
      expect(m.description?.length).toBeGreaterThan(40);
      const translations = (m._description?.extension ?? []).filter((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/translation');
      const byLang = Object.fromEntries(translations.map((t) => [t.extension?.find((x) => x.url === 'lang')?.valueCode, t.extension?.find((x) => x.url === 'content')?.valueString]));
      expect(Object.keys(byLang).sort()).toEqual(['nb', 'sv']);
      for (const text of Object.values(byLang) as (string | undefined)[]) expect(text?.length).toBeGreaterThan(40);
    });
  }
});
