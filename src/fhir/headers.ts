/** Request headers FHIR gives meaning to: https://hl7.org/fhir/R4/http.html */
import { fail, quote } from '../errors.ts';
import type { FhirRequest } from './types.ts';

/** `If-Match: W/"3"` → 3. https://hl7.org/fhir/R4/http.html#concurrency */
export function ifMatchVersion(req: FhirRequest): number | undefined {
  const raw = req.headers['if-match'];
  if (raw === undefined) return undefined;
  return parseVersionTag(raw, 'If-Match');
}

export function parseVersionTag(raw: string, what: string): number {
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(raw);
  if (!m) fail('invalid', `${what} must be a version ETag such as W/"3", not ${quote(raw)}`);
  return Number(m[1]);
}

export const etag = (versionId: number): string => `W/"${versionId}"`;

export interface Prefer {
  return: 'minimal' | 'representation' | 'OperationOutcome';
  lenient: boolean;
}

/** `Prefer: return=…, handling=…` (https://hl7.org/fhir/R4/http.html#ops, #search). */
export function prefer(req: FhirRequest): Prefer {
  const raw = req.headers.prefer ?? '';
  const parts = raw.split(/[,;]/).map((s) => s.trim());
  const ret = parts.find((p) => p.startsWith('return='))?.slice(7);
  return {
    return: ret === 'minimal' || ret === 'OperationOutcome' ? ret : 'representation',
    lenient: parts.includes('handling=lenient'),
  };
}
