/**
 * checkWrite: the one call a write makes — plan rules for CarePlans,
 * validation for the rest — returning what to store.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agreementState, checkWrite } from '../../src/plans/index.ts';
import { EXTENSION } from '../../src/validation/index.ts';
import { storedPatientkontrakt, thrown } from './fixtures.ts';

const bundle = JSON.parse(readFileSync(new URL('../../fhir-examples/individuell-plan-fact.bundle.json', import.meta.url), 'utf8')) as fhir4.Bundle;

describe('checkWrite', () => {
  it('passes every example entry through unchanged', () => {
    for (const e of bundle.entry ?? []) {
      const r = e.resource as fhir4.FhirResource;
      expect(checkWrite(undefined, r)).toEqual(r);
    }
  });

  it('strips an agreement a client sends with a new plan', () => {
    const plan = storedPatientkontrakt();
    const sent: fhir4.CarePlan = { ...plan, extension: [...(plan.extension ?? []), { url: EXTENSION.agreement, extension: [{ url: 'status', valueCode: 'current' }] }] };
    expect(agreementState(checkWrite(undefined, sent))).toBe('none');
  });

  it('refuses invalid resources of any type with 400 or 422', () => {
    expect(thrown(() => checkWrite(null, { resourceType: 'Patient', gender: 'kvinna' } as unknown as fhir4.Patient)).status).toBe(400);
    expect(thrown(() => checkWrite(null, { resourceType: 'Patient', identifier: [{ system: 'http://electronichealth.se/identifier/personnummer', value: '191212121213' }] })).status).toBe(422);
    const plan = storedPatientkontrakt();
    expect(thrown(() => checkWrite(plan, { ...plan, status: 'completed' })).outcome.issue[0]?.diagnostics).toContain('from draft to completed');
  });
});
