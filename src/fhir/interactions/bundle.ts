/**
 * batch and transaction Bundles at POST [base]: https://hl7.org/fhir/R4/http.html#transaction
 *
 * batch: each entry is an independent request, answered in its own response entry.
 * transaction: every write is read, built, validated and access-checked
 * first, then the plan rules across entries run (checkRelated); then the
 * store writes all of them, with any follow-ups, or none (store/transaction.ts).
 * Server-assigned ids are given up front so that `urn:uuid:` fullUrls and
 * conditional references (`Patient?identifier=…`) can be rewritten before
 * anything is validated or stored.
 */
import { randomUUID } from 'node:crypto';
import { FhirError, fail, outcome } from '../../errors.ts';
import type { GuardedWrite } from '../../store/index.ts';
import { parseVersionTag } from '../headers.ts';
import { checkId, checkType, resourceBody } from '../resource-body.ts';
import { versionUrl } from '../responses.ts';
import type { FhirRequest, FhirResponse, FhirServices } from '../types.ts';
import { prepareWrite, relatedWrites, storeRelated } from '../write-pipeline.ts';
import { applyJsonPatch, asPatch } from './patch.ts';
import { conditionalMatches, criteriaOf } from './type-level.ts';

export type Dispatch = (req: FhirRequest) => Promise<FhirResponse>;

type Method = FhirRequest['method'];

interface Parsed {
  index: number;
  method: Method;
  type: string;
  id?: string;
  query: [string, string][];
  entry: fhir4.BundleEntry;
}

const METHODS = new Set<Method>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** Processing order inside a transaction (R4 http.html#trules). */
const ORDER: Method[] = ['DELETE', 'POST', 'PUT', 'PATCH', 'GET'];

function parseEntry(entry: fhir4.BundleEntry, index: number): Parsed {
  const where = `Bundle.entry[${index}].request`;
  const method = entry.request?.method as Method | undefined;
  const url = entry.request?.url;
  if (!method || !METHODS.has(method) || !url) fail('invalid', `Entry ${index} needs request.method (GET, POST, PUT, PATCH, DELETE) and request.url`, { expression: where });
  const [path = '', search = ''] = url.replace(/^\//, '').split('?', 2);
  const [type = '', id, ...rest] = path.split('/');
  checkType(type);
  if (rest.length > 0 || (id !== undefined && method === 'POST')) fail('invalid', `Entry ${index}: unsupported url '${url}'`, { expression: `${where}.url` });
  if (id !== undefined) checkId(id, `${where}.url`);
  return { index, method, type, ...(id !== undefined ? { id } : {}), query: criteriaOf(search), entry };
}

/** Most entries one batch or transaction may hold: what one request may make the server do is bounded. */
export const MAX_ENTRIES = 500;

export async function processBundle(req: FhirRequest, svc: FhirServices, dispatch: Dispatch): Promise<FhirResponse> {
  const bundle = resourceBody(req.body, 'Bundle') as fhir4.Bundle;
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') fail('invalid', `Bundle.type must be batch or transaction, not '${bundle.type}'`, { expression: 'Bundle.type' });
  const entries = bundle.entry ?? [];
  // The structure check lets a Bundle through before its entries are looked at one by one.
  if (!Array.isArray(entries)) fail('invalid', 'Bundle.entry must be a list of entries', { expression: 'Bundle.entry' });
  if (entries.length > MAX_ENTRIES) fail('too-large', `A ${bundle.type} may hold at most ${MAX_ENTRIES} entries; this one holds ${entries.length}`, { expression: 'Bundle.entry' });
  entries.forEach((e, i) => {
    if (!e || typeof e !== 'object' || Array.isArray(e)) fail('invalid', `Entry ${i} is not an object`, { expression: `Bundle.entry[${i}]` });
  });
  // Each entry is a request's worth of work: it counts against the caller's budget like one.
  req.ctx.spend?.(entries.length - 1);
  return bundle.type === 'batch' ? batch(req, entries, dispatch) : transaction(req, entries, svc, dispatch);
}

function subRequest(req: FhirRequest, p: Parsed, body: unknown): FhirRequest {
  const r = p.entry.request;
  const headers: Record<string, string | undefined> = { prefer: req.headers.prefer, 'if-match': r?.ifMatch, 'if-none-exist': r?.ifNoneExist, 'if-none-match': r?.ifNoneMatch };
  return { method: p.method, path: [p.type, ...(p.id ? [p.id] : [])], query: p.query, headers, body, ctx: req.ctx };
}

function responseEntry(base: string, res: FhirResponse): fhir4.BundleEntry {
  const e: fhir4.BundleEntry = { response: { status: String(res.status) } };
  const h = res.headers ?? {};
  if (h.Location) e.response!.location = h.Location;
  if (h.ETag) e.response!.etag = h.ETag;
  if (h['Last-Modified']) e.response!.lastModified = new Date(h['Last-Modified']).toISOString();
  if (res.body?.resourceType === 'OperationOutcome' && res.status >= 400) e.response!.outcome = res.body;
  else if (res.body) {
    e.resource = res.body as fhir4.FhirResource;
    const r = res.body as fhir4.FhirResource;
    if (r.id && r.resourceType !== 'Bundle') e.fullUrl = `${base}/${r.resourceType}/${r.id}`;
  }
  return e;
}

function errorResponse(err: unknown): FhirResponse {
  if (err instanceof FhirError) return { status: err.status, body: err.outcome };
  return { status: 500, body: outcome([{ severity: 'error', code: 'exception', diagnostics: 'Internal error while processing this entry' }]) };
}

async function batch(req: FhirRequest, entries: fhir4.BundleEntry[], dispatch: Dispatch): Promise<FhirResponse> {
  const out: fhir4.BundleEntry[] = [];
  for (const [i, entry] of entries.entries()) {
    let res: FhirResponse;
    try {
      const p = parseEntry(entry, i);
      res = await dispatch(subRequest(req, p, p.method === 'PATCH' ? patchFromBinary(entry, i) : entry.resource));
    } catch (err) {
      res = errorResponse(err);
    }
    out.push(responseEntry(req.ctx.baseUrl, res));
  }
  return { status: 200, body: { resourceType: 'Bundle', type: 'batch-response', entry: out } };
}

/** In a Bundle a JSON Patch travels as a Binary (R4 http.html#patch). */
function patchFromBinary(entry: fhir4.BundleEntry, i: number): unknown {
  const bin = entry.resource as fhir4.Binary | undefined;
  if (bin?.resourceType !== 'Binary' || !/json-patch/.test(bin.contentType ?? '') || !bin.data) {
    fail('invalid', `Entry ${i}: a PATCH entry needs a Binary with contentType application/json-patch+json`, { expression: `Bundle.entry[${i}].resource` });
  }
  try {
    return JSON.parse(Buffer.from(bin.data, 'base64').toString('utf8'));
  } catch {
    fail('invalid', `Entry ${i}: the Binary does not hold a JSON patch`, { expression: `Bundle.entry[${i}].resource.data` });
  }
}

/** Replaces every `reference` the map knows, at any depth. */
function rewriteReferences(value: unknown, map: Map<string, string>): void {
  if (Array.isArray(value)) {
    for (const v of value) rewriteReferences(v, map);
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      if (k === 'reference' && typeof v === 'string' && map.has(v)) o[k] = map.get(v);
      else rewriteReferences(v, map);
    }
  }
}

function collectConditionalRefs(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) value.forEach((v) => collectConditionalRefs(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string' && /^[A-Z][A-Za-z]+\?/.test(v)) out.add(v);
      else collectConditionalRefs(v, out);
    }
  }
}

async function transaction(req: FhirRequest, entries: fhir4.BundleEntry[], svc: FhirServices, dispatch: Dispatch): Promise<FhirResponse> {
  const parsed = entries.map(parseEntry);
  const refMap = new Map<string, string>();
  const ids = new Map<number, string>();
  /** Entries whose id the server chose here (the others' ids the caller chose: see Store.currentForWrite). */
  const generated = new Set<number>();
  const responses = new Map<number, FhirResponse>();

  // 1. Ids for creates (or the existing match of a conditional create), so references can be rewritten.
  for (const p of parsed) {
    const r = p.entry.request;
    let id = p.id;
    if (p.method === 'POST' && r?.ifNoneExist) {
      const matches = await conditionalMatches(req, p.type, criteriaOf(r.ifNoneExist), svc);
      if (matches.length > 1) fail('precondition-failed', `Entry ${p.index}: If-None-Exist matches ${matches.length} resources`, { code: 'multiple-matches' });
      if (matches[0]) {
        id = matches[0].id;
        responses.set(p.index, { status: 200, headers: { Location: versionUrl(req.ctx.baseUrl, matches[0]), ETag: `W/"${matches[0].versionId}"` } });
      }
    } else if (p.method === 'PUT' && !p.id) {
      const matches = await conditionalMatches(req, p.type, p.query, svc);
      if (matches.length > 1) fail('precondition-failed', `Entry ${p.index}: conditional update matches ${matches.length} resources`, { code: 'multiple-matches' });
      id = matches[0]?.id ?? (p.entry.resource as fhir4.FhirResource | undefined)?.id;
    }
    if ((p.method === 'POST' || p.method === 'PUT') && id === undefined) {
      id = randomUUID();
      generated.add(p.index);
    }
    if (id) {
      ids.set(p.index, id);
      if (p.entry.fullUrl) refMap.set(p.entry.fullUrl, `${p.type}/${id}`);
    }
  }
  const conditional = new Set<string>();
  parsed.forEach((p) => collectConditionalRefs(p.entry.resource, conditional));
  for (const ref of conditional) {
    const [type = '', criteria = ''] = ref.split('?', 2);
    checkType(type);
    const matches = await conditionalMatches(req, type, criteriaOf(criteria), svc);
    if (matches.length !== 1) fail('precondition-failed', `Conditional reference '${ref}' matches ${matches.length} resources; it must match exactly one`, { code: 'multiple-matches' });
    refMap.set(ref, `${type}/${matches[0]!.id}`);
  }
  parsed.forEach((p) => rewriteReferences(p.entry.resource, refMap));

  // 2.–3. Build, check and store every write. The follow-ups a changed goal brings are plans the
  // caller did not touch: when one of them changed between the read and the write (412 on a
  // follow-up), the transaction is prepared again on the newer version, once, rather than refusing
  // a caller who changed nothing of that plan. A 412 on what the caller pinned with If-Match is
  // found again by the second preparation and answered then.
  for (let attempt = 1; ; attempt++) {
    try {
      await storeWrites(req, svc, parsed, ids, generated, responses);
      break;
    } catch (err) {
      // Store.writeWithFollowUps marks exactly that race: 412 with the issue code 'transient'.
      const onFollowUp = err instanceof FhirError && err.kind === 'precondition-failed' && err.outcome.issue.some((i) => i.code === 'transient');
      if (!onFollowUp || attempt >= 2) throw err;
    }
  }

  // 4. Reads come last and see the transaction's result.
  for (const p of parsed.filter((x) => x.method === 'GET')) responses.set(p.index, await dispatch(subRequest(req, p, undefined)).catch(errorResponse));

  const out = parsed.map((p) => responseEntry(req.ctx.baseUrl, responses.get(p.index) ?? { status: 500 }));
  return { status: 200, body: { resourceType: 'Bundle', type: 'transaction-response', entry: out } };
}

/** Steps 2 and 3 of a transaction: build and check every write, then store them with their follow-ups, all or nothing. */
async function storeWrites(req: FhirRequest, svc: FhirServices, parsed: Parsed[], ids: Map<number, string>, generated: Set<number>, responses: Map<number, FhirResponse>): Promise<void> {
  // 2. Build and check every write; any error fails the whole transaction before anything is stored.
  const writes: { p: Parsed; w: GuardedWrite }[] = [];
  const seen = new Set<string>();
  for (const method of ORDER.filter((m) => m !== 'GET')) {
    for (const p of parsed.filter((x) => x.method === method && !responses.has(x.index))) {
      const id = ids.get(p.index) ?? p.id;
      if (!id) fail('invalid', `Entry ${p.index}: ${method} needs a resource id in request.url`, { expression: `Bundle.entry[${p.index}].request.url` });
      const k = `${p.type}/${id}`;
      if (seen.has(k)) fail('invalid', `${k} appears more than once in the transaction`, { expression: `Bundle.entry[${p.index}]` });
      seen.add(k);
      const ifMatch = p.entry.request?.ifMatch ? parseVersionTag(p.entry.request.ifMatch, 'ifMatch') : undefined;
      const w = await prepareWrite(req, svc, {
        type: p.type, id, action: method === 'POST' ? 'create' : method === 'DELETE' ? 'delete' : method === 'PATCH' ? 'patch' : 'update', clientId: method === 'PUT' && !generated.has(p.index), ...(ifMatch !== undefined ? { ifMatch } : {}),
        build: (current) => {
          if (method === 'DELETE') return null;
          if (method === 'PATCH') {
            if (!current || current.deleted) fail('not-found', `Entry ${p.index}: ${k} is not known`);
            return applyJsonPatch(current.resource as fhir4.FhirResource, asPatch(patchFromBinary(p.entry, p.index)));
          }
          const body = resourceBody(p.entry.resource, p.type);
          if (method === 'PUT' && body.id !== undefined && body.id !== id) fail('invalid', `Entry ${p.index}: resource id '${body.id}' does not match '${id}'`, { expression: `Bundle.entry[${p.index}].resource.id` });
          return body;
        },
      }).catch((err: unknown) => {
        if (err instanceof FhirError) err.outcome.issue.forEach((i) => (i.diagnostics = `Entry ${p.index}: ${i.diagnostics ?? ''}`));
        throw err;
      });
      // Deleting what is not there (or is already deleted) is a no-op, not a failure.
      if (method === 'DELETE' && (!w.current || w.current.deleted)) {
        responses.set(p.index, { status: 204 });
        continue;
      }
      writes.push({ p, w });
    }
  }

  // 3. The rules across entries (a plan's care team may be in the bundle; a changed goal marks plans stale), then all or nothing.
  const annotate = (err: FhirError, i: number): void => {
    const entry = writes[i]?.p.index;
    err.outcome.issue.forEach((issue) => (issue.diagnostics = `Entry ${entry ?? '?'}: ${issue.diagnostics ?? ''}`));
  };
  const related = await relatedWrites(req, svc, writes.map((x) => x.w), { annotate });
  const docs = await storeRelated(req, svc, { action: 'transaction', type: 'Bundle' }, related);
  docs.forEach((doc, i) => {
    const { p, w } = writes[i]!;
    const status = p.method === 'DELETE' ? 204 : !w.current || w.current.deleted ? 201 : 200;
    responses.set(p.index, { status, headers: { Location: versionUrl(req.ctx.baseUrl, doc), ETag: `W/"${doc.versionId}"`, 'Last-Modified': doc.lastUpdated.toUTCString() }, ...(doc.resource ? { body: doc.resource } : {}) });
  });
}
