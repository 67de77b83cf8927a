/**
 * The Express adapter for /fhir: turns an HTTP request into a FhirRequest,
 * calls the router, and writes the FhirResponse. No FHIR logic lives here.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { fail, quote } from '../errors.ts';
import type { CallContext } from '../auth/principal.ts';
import { dispatch } from './router.ts';
import type { FhirRequest, FhirResponse, FhirServices } from './types.ts';

export const FHIR_JSON = 'application/fhir+json';
const JSON_TYPES = ['application/fhir+json', 'application/json'];
const MAX_DEPTH = 64;

function mediaType(req: Request): string | undefined {
  return req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
}

/** Every `charset` parameter of the Content-Type, unquoted (a header may repeat it to smuggle a second one). */
function charsets(req: Request): string[] {
  const header = req.headers['content-type'] ?? '';
  return [...header.matchAll(/;\s*charset\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/gi)].map((m) => (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1'));
}

/**
 * FHIR JSON is UTF-8 (https://hl7.org/fhir/R4/http.html#mime-type). The body
 * parser would decode UTF-7 or UTF-16 on a caller's say-so, and text that
 * reads one way as UTF-8 and another way decoded (UTF-7 hides `<` and `"`) is
 * how filters are slipped past: any other charset is refused.
 */
function checkCharset(req: Request): void {
  const other = charsets(req).find((c) => c.toLowerCase() !== 'utf-8');
  if (other !== undefined) fail('unsupported-media-type', `Only charset=utf-8 is accepted, not ${quote(other)}`, { code: 'not-supported' });
}

/** Parses the raw body by its declared type (415 for anything FHIR does not accept here). */
function parseBody(req: Request, path: string[]): unknown {
  const raw = typeof req.body === 'string' ? req.body : '';
  if (raw.length === 0) return undefined;
  checkCharset(req);
  const type = mediaType(req);
  if (req.method === 'POST' && path[1] === '_search') {
    if (type !== 'application/x-www-form-urlencoded') fail('unsupported-media-type', 'POST _search takes application/x-www-form-urlencoded');
    return new URLSearchParams(raw);
  }
  const allowed = req.method === 'PATCH' ? ['application/json-patch+json'] : JSON_TYPES;
  if (!type || !allowed.includes(type)) fail('unsupported-media-type', `Content-Type must be ${allowed.join(' or ')}${type ? `, not ${quote(type)}` : ''}`);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (err) {
    fail('invalid', `The body is not valid JSON: ${(err as Error).message}`, { code: 'structure' });
  }
  if (depth(body) > MAX_DEPTH) fail('invalid', `The body nests deeper than ${MAX_DEPTH} levels`, { code: 'structure' });
  return body;
}

/** Nesting depth, measured without recursion so hostile input cannot blow the stack. */
function depth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v && typeof v === 'object') {
      if (d > max) max = d;
      if (max > MAX_DEPTH) return max;
      for (const child of Object.values(v)) stack.push([child, d + 1]);
    }
  }
  return max;
}

function acceptsJson(req: Request): boolean {
  const accept = req.headers.accept;
  if (!accept) return true;
  return /(\*\/\*|application\/\*|application\/(fhir\+)?json|json)/i.test(accept);
}

export function send(res: Response, out: FhirResponse): void {
  for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
  res.status(out.status);
  if (out.body === undefined) {
    res.end();
    return;
  }
  res.type(`${FHIR_JSON}; charset=utf-8`).send(JSON.stringify(out.body));
}

/** The FHIR base as clients see it: SAMPLAN_PUBLIC_URL when set, else from the request's Host. */
export function fhirBaseUrl(req: Request, publicUrl: string | undefined): string {
  return publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}/fhir`;
}

export interface FhirHttpOptions {
  bodyLimit: number;
  /** Base URL of /fhir as clients see it; derived from the request when unset. */
  publicUrl?: string;
  /** Authenticates the request (throws 401); the principal ends up in the CallContext. */
  context(req: Request, baseUrl: string): Promise<CallContext>;
}

export function fhirRouter(svc: FhirServices, opts: FhirHttpOptions): Router {
  const router = express.Router();
  // The body is read as text with the size limit applied; parseBody decides what it is.
  router.use(express.text({ type: () => true, limit: opts.bodyLimit }));
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (!acceptsJson(req)) fail('not-acceptable', 'Only application/fhir+json is served');
      const path = req.path.split('/').filter(Boolean).map(decodeURIComponent);
      const method = req.method as FhirRequest['method'];
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) fail('method-not-allowed', `${req.method} is not supported`);
      const baseUrl = fhirBaseUrl(req, opts.publicUrl);
      const ctx = await opts.context(req, baseUrl);
      const query = [...new URLSearchParams(req.originalUrl.split('?')[1] ?? '')];
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      // A body that cannot be read is reported only after the scope check: a token that may not
      // write at all hears 403 whatever it sent (issue 5).
      let body: unknown;
      let bodyError: unknown;
      try {
        body = parseBody(req, path);
      } catch (err) {
        bodyError = err;
      }
      send(res, await dispatch({ method, path, query, headers, body, ctx, ...(bodyError === undefined ? {} : { bodyError }) }, svc));
    } catch (err) {
      next(err);
    }
  });
  return router;
}
