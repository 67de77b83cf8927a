/**
 * The one error type of samplan. Every failure a caller can see is a FhirError
 * carrying an OperationOutcome; its `kind` says what went wrong, and
 * `statusOf` below is the only place that turns a kind into an HTTP status.
 *
 * OperationOutcome: https://hl7.org/fhir/R4/operationoutcome.html
 * Status codes for REST failures: https://hl7.org/fhir/R4/http.html#Status-Codes
 */

export type ErrorKind =
  | 'invalid' // 400: malformed request, bad parameter, structural error
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'method-not-allowed' // 405
  | 'not-acceptable' // 406
  | 'conflict' // 409: e.g. a resource locked by a transaction in flight, a duplicate
  | 'gone' // 410: deleted
  | 'precondition-failed' // 412: If-Match / version mismatch, conditional update with several matches
  | 'too-large' // 413
  | 'unsupported-media-type' // 415
  | 'unprocessable' // 422: valid FHIR that breaks a profile or plan rule
  | 'too-many-requests' // 429
  | 'not-implemented' // 501
  | 'unavailable' // 503: database or peer unreachable
  | 'internal'; // 500

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'not-acceptable': 406,
  conflict: 409,
  gone: 410,
  'precondition-failed': 412,
  'too-large': 413,
  'unsupported-media-type': 415,
  unprocessable: 422,
  'too-many-requests': 429,
  'not-implemented': 501,
  unavailable: 503,
  internal: 500,
};

/** The issue type a kind carries when the caller does not name one. */
const DEFAULT_ISSUE_CODE: Record<ErrorKind, fhir4.OperationOutcomeIssue['code']> = {
  invalid: 'invalid',
  unauthenticated: 'login',
  forbidden: 'forbidden',
  'not-found': 'not-found',
  'method-not-allowed': 'not-supported',
  'not-acceptable': 'not-supported',
  conflict: 'conflict',
  gone: 'deleted',
  'precondition-failed': 'conflict',
  'too-large': 'too-costly',
  'unsupported-media-type': 'not-supported',
  unprocessable: 'processing',
  'too-many-requests': 'throttled',
  'not-implemented': 'not-supported',
  unavailable: 'transient',
  internal: 'exception',
};

export function statusOf(kind: ErrorKind): number {
  return STATUS[kind];
}

export type Issue = fhir4.OperationOutcomeIssue;

export interface IssueInput {
  code?: Issue['code'];
  severity?: Issue['severity'];
  diagnostics: string;
  expression?: string | string[];
}

export function issue(kind: ErrorKind, input: IssueInput): Issue {
  const out: Issue = {
    severity: input.severity ?? 'error',
    code: input.code ?? DEFAULT_ISSUE_CODE[kind],
    diagnostics: input.diagnostics,
  };
  if (input.expression !== undefined) {
    out.expression = Array.isArray(input.expression) ? input.expression : [input.expression];
  }
  return out;
}

export function outcome(issues: Issue[]): fhir4.OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

export class FhirError extends Error {
  readonly kind: ErrorKind;
  readonly outcome: fhir4.OperationOutcome;
  /** Extra response headers, e.g. WWW-Authenticate on 401 or Retry-After on 429. */
  readonly headers: Record<string, string>;

  constructor(kind: ErrorKind, issues: Issue[] | IssueInput, headers: Record<string, string> = {}) {
    const list = Array.isArray(issues) ? issues : [issue(kind, issues)];
    super(list.map((i) => i.diagnostics ?? i.code).join('; '));
    this.name = 'FhirError';
    this.kind = kind;
    this.outcome = outcome(list);
    this.headers = headers;
  }

  get status(): number {
    return statusOf(this.kind);
  }
}

/** Shorthand: `fail('not-found', 'CarePlan/x is not known')`. */
export function fail(kind: ErrorKind, diagnostics: string, extra: Omit<IssueInput, 'diagnostics'> = {}): never {
  throw new FhirError(kind, { ...extra, diagnostics });
}
