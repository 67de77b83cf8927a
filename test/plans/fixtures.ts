/** Plans as the store would hand them to the plan rules. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { FhirError } from '../../src/errors.ts';

/** The Skåne patientkontrakt as stored (relative references, version 3), status draft. */
export function storedPatientkontrakt(): fhir4.CarePlan {
  return JSON.parse(readFileSync(new URL('./fixtures/patientkontrakt-stored.json', import.meta.url), 'utf8')) as fhir4.CarePlan;
}

export const EXAMPLES = ['patientkontrakt-skane', 'sip-ungdom', 'individuell-plan-fact', 'utskrivning-oppfolging'] as const;

/** An example's CarePlan as if stored: with an id and meta.versionId (its references stay urn:uuid). */
export function examplePlan(name: (typeof EXAMPLES)[number]): fhir4.CarePlan {
  const bundle = JSON.parse(readFileSync(new URL(`../../fhir-examples/${name}.bundle.json`, import.meta.url), 'utf8')) as fhir4.Bundle;
  const plan = bundle.entry?.find((e) => e.resource?.resourceType === 'CarePlan')?.resource as fhir4.CarePlan;
  return { ...plan, id: name, meta: { versionId: '1' } };
}

/** The FhirError `fn` throws. */
export function thrown(fn: () => unknown): FhirError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FhirError);
    return e as FhirError;
  }
  throw new Error('expected a FhirError, nothing was thrown');
}
