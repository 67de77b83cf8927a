/** Maps a FHIR request (method + path below the base) to its interaction: https://hl7.org/fhir/R4/http.html#summary */
import { fail, quote } from '../errors.ts';
import { isServedType, type Store } from '../store/index.ts';
import { processBundle } from './interactions/bundle.ts';
import { READ_ONLY_TYPES } from './interactions/capabilities.ts';
import { read, remove, update, vread } from './interactions/instance.ts';
import { patch } from './interactions/patch.ts';
import { history, search, searchByPost } from './interactions/search.ts';
import { conditionalUpdate, create } from './interactions/type-level.ts';
import { validate } from './interactions/validate.ts';
import { checkType, isId } from './resource-body.ts';
import type { FhirRequest, FhirResponse, FhirServices } from './types.ts';

const shownPath = (path: string[]): string => quote(`/${path.join('/')}`);

function notAllowed(req: FhirRequest): never {
  fail('method-not-allowed', `${req.method} is not supported on ${shownPath(req.path)}`);
}

type WriteAction = Parameters<Store['requireScope']>[1];

/** The write a method and path below a type make, if they make one at all ($ operations and _search do not). */
function writeAction(method: FhirRequest['method'], second: string | undefined, third: string | undefined): WriteAction | undefined {
  if (second === undefined) return method === 'POST' ? 'create' : method === 'PUT' ? 'update' : undefined;
  if (third !== undefined || second.startsWith('$') || second.startsWith('_')) return undefined;
  return method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : method === 'DELETE' ? 'delete' : undefined;
}

/** Asks the store whether the token allows the write at all, before any interaction reads the body (issue 5). */
async function requireScope(req: FhirRequest, svc: FhirServices, action: WriteAction, type: string, id: string | undefined): Promise<void> {
  await svc.store.requireScope(req.ctx, action, type, id !== undefined && isId(id) ? id : undefined);
}

const readOnly = (type: string): never => fail('method-not-allowed', `${type} resources are written by samplan itself and cannot be changed through the API`);

/**
 * A transaction builds and validates every entry before the store sees any of
 * them, so each write entry is judged here first: the types nobody may write
 * (the check a single write meets in dispatch, which transaction entries do
 * not pass through), then the scope. Entries that cannot be read are left to
 * processBundle to refuse; batch entries come back through dispatch one by one.
 */
async function checkTransactionWrites(req: FhirRequest, svc: FhirServices): Promise<void> {
  const bundle = req.body as { resourceType?: unknown; type?: unknown; entry?: unknown } | undefined;
  if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'transaction' || !Array.isArray(bundle.entry)) return;
  for (const entry of bundle.entry as unknown[]) {
    const request = (entry as { request?: { method?: unknown; url?: unknown } } | null)?.request;
    const method = request?.method;
    if (typeof request?.url !== 'string' || (method !== 'POST' && method !== 'PUT' && method !== 'PATCH' && method !== 'DELETE')) continue;
    const [type = '', id, ...rest] = (request.url.replace(/^\//, '').split('?', 1)[0] ?? '').split('/');
    if (READ_ONLY_TYPES.has(type)) readOnly(type);
    const action = writeAction(method, id, undefined);
    if (action && rest.length === 0 && isServedType(type)) await requireScope(req, svc, action, type, id);
  }
}

export async function dispatch(req: FhirRequest, svc: FhirServices): Promise<FhirResponse> {
  const { method, path } = req;
  if (path.length === 0) {
    if (method === 'POST') {
      if (req.bodyError !== undefined) throw req.bodyError; // no entries to judge the scopes of
      await checkTransactionWrites(req, svc);
      return processBundle(req, svc, (sub) => dispatch(sub, svc));
    }
    notAllowed(req);
  }
  const [type = '', second, third, fourth, ...rest] = path;
  const query = second !== undefined && third !== undefined && fourth === undefined ? svc.queryOperations?.get(`${type}/${third}`) : undefined;
  if (query) return method === 'GET' || method === 'POST' ? query(req, type, second!, svc) : notAllowed(req);
  checkType(type);
  if (rest.length > 0) fail('not-found', `No such endpoint: ${shownPath(path)}`);
  const writing = method !== 'GET' && !(second === '_search' || second?.startsWith('$'));
  if (writing && READ_ONLY_TYPES.has(type)) readOnly(type);
  const action = writeAction(method, second, third);
  if (action) await requireScope(req, svc, action, type, second);
  if (req.bodyError !== undefined) throw req.bodyError;

  if (second === undefined) {
    if (method === 'GET') return search(req, type, svc);
    if (method === 'POST') return create(req, type, svc);
    if (method === 'PUT') return conditionalUpdate(req, type, svc);
    notAllowed(req);
  }
  if (second === '_search') return method === 'POST' ? searchByPost(req, type, svc) : notAllowed(req);
  if (second === '_history' && third === undefined) return method === 'GET' ? history(req, type, undefined, svc) : notAllowed(req);
  if (second === '$validate' && third === undefined) return method === 'POST' ? validate(req, type, undefined, svc) : notAllowed(req);
  if (second.startsWith('$') || second.startsWith('_')) fail('not-found', `Unknown operation or endpoint ${quote(second)} on ${type}`, { code: 'not-supported' });

  const id = second;
  if (third === undefined) {
    switch (method) {
      case 'GET':
        return read(req, type, id, svc);
      case 'PUT':
        return update(req, type, id, svc);
      case 'PATCH':
        return patch(req, type, id, svc);
      case 'DELETE':
        return remove(req, type, id, svc);
      default:
        notAllowed(req);
    }
  }
  if (third === '_history') {
    if (method !== 'GET') notAllowed(req);
    return fourth === undefined ? history(req, type, id, svc) : vread(req, type, id, fourth, svc);
  }
  if (fourth !== undefined) fail('not-found', `No such endpoint: ${shownPath(path)}`);
  if (third === '$validate') return method === 'POST' ? validate(req, type, id, svc) : notAllowed(req);
  const op = svc.operations.get(`${type}/${third}`);
  if (op && method === 'POST') return op(req, type, id, svc);
  fail('not-found', `Unknown operation ${quote(third)} on ${type}`, { code: 'not-supported' });
}
