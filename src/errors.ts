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

/**
 * How much of a caller's input an error may repeat. Diagnostics echo ids,
 * parameter names, dates and header values; a hostile caller can send 10 kB of
 * them, or control characters that forge lines in logs and audit records.
 */
export const ECHO_LIMIT = 100;
/** Past this length a run without whitespace is cut: longer than `quote()` makes, so quoted text is never cut twice. */
const RUN_LIMIT = ECHO_LIMIT + 10;
/** A whole diagnostics text; far above any message samplan writes itself. */
const DIAGNOSTICS_LIMIT = 1000;
const EXPRESSION_LIMIT = 300;
const ELLIPSIS = '…';

// C0, DEL and C1 controls, line/paragraph separators, and bidi overrides (which can make text read other than it is).
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** At most `max` characters including the ellipsis, never splitting a surrogate pair. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (/[\ud800-\udbff]/.test(text.charAt(end - 1))) end--;
  return text.slice(0, end) + ELLIPSIS;
}

/**
 * Caller input as it may appear in a message: control characters escaped,
 * at most ECHO_LIMIT characters, in single quotes. `fail('invalid', \`bad id ${quote(id)}\`)`.
 */
export function quote(value: unknown, max = ECHO_LIMIT): string {
  return `'${clip(escapeControls(String(value)), max + 1)}'`;
}

/**
 * The backstop for text built without `quote()`, here and in every other
 * module: escapes controls, cuts any run without whitespace longer than
 * RUN_LIMIT (keeping its closing punctuation) and caps the whole. Idempotent,
 * so an outcome that passes through twice is unchanged the second time.
 */
export function limitEcho(text: string, max = DIAGNOSTICS_LIMIT): string {
  const runsCut = escapeControls(text).replace(/\S+/g, (run) => {
    if (run.length <= RUN_LIMIT) return run;
    const tail = /['"`)\]}.,;:]{0,3}$/.exec(run)?.[0] ?? '';
    return clip(run.slice(0, run.length - tail.length), ECHO_LIMIT + 1) + tail;
  });
  return clip(runsCut, max);
}

function tamed(i: Issue): Issue {
  const out: Issue = { ...i };
  if (i.diagnostics !== undefined) out.diagnostics = limitEcho(i.diagnostics);
  if (i.expression) out.expression = i.expression.map((e) => limitEcho(e, EXPRESSION_LIMIT));
  return out;
}

/** Every OperationOutcome samplan sends is built here, so every one has its echoes limited. */
export function outcome(issues: Issue[]): fhir4.OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues.map(tamed) };
}

export class FhirError extends Error {
  readonly kind: ErrorKind;
  readonly outcome: fhir4.OperationOutcome;
  /** Extra response headers, e.g. WWW-Authenticate on 401 or Retry-After on 429. */
  readonly headers: Record<string, string>;

  constructor(kind: ErrorKind, issues: Issue[] | IssueInput, headers: Record<string, string> = {}) {
    const built = outcome(Array.isArray(issues) ? issues : [issue(kind, issues)]);
    // The message goes to logs and audit records: the limited text, not the raw input.
    super(built.issue.map((i) => i.diagnostics ?? i.code).join('; '));
    this.name = 'FhirError';
    this.kind = kind;
    this.outcome = built;
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
