/** search (GET Type?…, POST Type/_search) and history: https://hl7.org/fhir/R4/search.html, http.html#history */
import { fail } from '../../errors.ts';
import { DEFAULT_COUNT, MAX_COUNT, dateRange, parseSearch } from '../../store/index.ts';
import { prefer } from '../headers.ts';
import { checkId } from '../resource-body.ts';
import { historyBundle, searchsetBundle } from '../responses.ts';
import type { FhirRequest, FhirResponse, FhirServices } from '../types.ts';

export async function search(req: FhirRequest, type: string, svc: FhirServices, params: [string, string][] = req.query): Promise<FhirResponse> {
  const lenient = prefer(req).lenient;
  const q = parseSearch(type, params, lenient);
  req.ctx.spend?.(q.terms - 1);
  const found = await svc.store.search(req.ctx, type, q, new URLSearchParams(params).toString());
  const notes: fhir4.OperationOutcomeIssue[] = q.ignored.map((p) => ({ severity: 'warning', code: 'not-supported', diagnostics: `Search parameter '${p}' is not supported and was ignored` }));
  const page = { path: type, params: q.applied, count: q.count, offset: q.offset, total: found.total, pageSize: found.docs.length };
  return { status: 200, body: searchsetBundle(req.ctx.baseUrl, page, found.docs, found.included, notes) };
}

/** POST Type/_search with form parameters: the same search, for criteria too long or private for a URL. */
export async function searchByPost(req: FhirRequest, type: string, svc: FhirServices): Promise<FhirResponse> {
  const form = req.body instanceof URLSearchParams ? [...req.body] : [];
  return search(req, type, svc, [...req.query, ...form]);
}

export async function history(req: FhirRequest, type: string, id: string | undefined, svc: FhirServices): Promise<FhirResponse> {
  if (id !== undefined) checkId(id);
  let since: Date | undefined;
  let count = DEFAULT_COUNT;
  let offset = 0;
  const applied: [string, string][] = [];
  for (const [name, value] of req.query) {
    if (name === '_since') {
      since = dateRange(value)?.lo;
      if (!since || !value.includes('T')) fail('invalid', `_since must be an instant such as 2024-05-01T10:00:00Z, not '${value}'`, { expression: '_since' });
      applied.push([name, value]);
    } else if (name === '_count' || name === '_offset') {
      if (!/^\d{1,9}$/.test(value)) fail('invalid', `${name} must be a non-negative whole number`);
      if (name === '_count') count = Math.min(Number(value), MAX_COUNT);
      else offset = Number(value);
    } else if (!prefer(req).lenient) {
      fail('invalid', `History does not support the parameter '${name}' (supported: _since, _count)`);
    }
  }
  const result = await svc.store.history(req.ctx, type, id, { ...(since ? { since } : {}), count, offset }, new URLSearchParams(req.query).toString());
  const path = id === undefined ? `${type}/_history` : `${type}/${id}/_history`;
  const page = { path, params: applied, count, offset, total: result.total, pageSize: result.versions.length };
  return { status: 200, body: historyBundle(req.ctx.baseUrl, page, result.versions) };
}
