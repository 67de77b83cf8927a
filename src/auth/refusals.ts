import { FhirError } from '../errors.ts';

/** 403 for a caller who may see a resource but not make this change to it. */
export function forbid(diagnostics: string): never {
  throw new FhirError('forbidden', { diagnostics, code: 'forbidden' });
}
