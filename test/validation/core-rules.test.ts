/**
 * profiles/schema/fhir-r4-core-rules.json is derived from the official R4
 * definitions; this fails when it drifts (regenerate with
 * `npx tsx src/validation/core-generate.ts`).
 */
import { describe, expect, it } from 'vitest';
import { generateCoreRules, readCoreRules } from '../../src/validation/core-generate.ts';

describe('core rules', () => {
  it('match the R4 definitions', () => {
    expect(readCoreRules()).toEqual(generateCoreRules());
  });

  it('require CarePlan.status and intent and bind them to their codes', () => {
    const rules = readCoreRules();
    expect(rules.requiredPrimitives.CarePlan).toEqual(['status', 'intent']);
    expect(rules.enums.CarePlan?.status).toEqual(['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown']);
    expect(rules.enums.CarePlan?.intent).toEqual(['proposal', 'plan', 'order', 'option']);
  });

  it('keep no rule that needs resolve() or traces', () => {
    for (const i of readCoreRules().invariants) {
      expect(i.expression).not.toContain('resolve()');
      expect(i.expression).not.toContain('trace(');
    }
  });
});
