/** The one place that turns anything thrown during a request into a FhirError. */
import { FhirError } from '../errors.ts';

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

export function toFhirError(err: unknown): FhirError | undefined {
  if (err instanceof FhirError) return err;
  const e = err as BodyParserError | undefined;
  switch (e?.type) {
    case 'entity.too.large':
      return new FhirError('too-large', { diagnostics: `The request body is larger than the limit of ${e.limit ?? '?'} bytes` });
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new FhirError('unsupported-media-type', { diagnostics: 'Unsupported charset or content encoding; send UTF-8 JSON' });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new FhirError('invalid', { diagnostics: 'The request body could not be read' });
  }
  return undefined;
}
