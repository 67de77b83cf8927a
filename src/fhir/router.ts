/** Maps a FHIR request (method + path below the base) to its interaction: https://hl7.org/fhir/R4/http.html#summary */
import { fail } from '../errors.ts';
import { processBundle } from './interactions/bundle.ts';
import { READ_ONLY_TYPES } from './interactions/capabilities.ts';
import { read, remove, update, vread } from './interactions/instance.ts';
import { patch } from './interactions/patch.ts';
import { history, search, searchByPost } from './interactions/search.ts';
import { conditionalUpdate, create } from './interactions/type-level.ts';
import { validate } from './interactions/validate.ts';
import { checkType } from './resource-body.ts';
import type { FhirRequest, FhirResponse, FhirServices } from './types.ts';

function notAllowed(req: FhirRequest): never {
  fail('method-not-allowed', `${req.method} is not supported on /${req.path.join('/')}`);
}

export async function dispatch(req: FhirRequest, svc: FhirServices): Promise<FhirResponse> {
  const { method, path } = req;
  if (path.length === 0) {
    if (method === 'POST') return processBundle(req, svc, (sub) => dispatch(sub, svc));
    notAllowed(req);
  }
  const [type = '', second, third, fourth, ...rest] = path;
  checkType(type);
  if (rest.length > 0) fail('not-found', `No such endpoint: /${path.join('/')}`);
  const writing = method !== 'GET' && !(second === '_search' || second?.startsWith('$'));
  if (writing && READ_ONLY_TYPES.has(type)) fail('method-not-allowed', `${type} resources are written by samplan itself and cannot be changed through the API`);

  if (second === undefined) {
    if (method === 'GET') return search(req, type, svc);
    if (method === 'POST') return create(req, type, svc);
    if (method === 'PUT') return conditionalUpdate(req, type, svc);
    notAllowed(req);
  }
  if (second === '_search') return method === 'POST' ? searchByPost(req, type, svc) : notAllowed(req);
  if (second === '_history' && third === undefined) return method === 'GET' ? history(req, type, undefined, svc) : notAllowed(req);
  if (second === '$validate' && third === undefined) return method === 'POST' ? validate(req, type, undefined, svc) : notAllowed(req);
  if (second.startsWith('$') || second.startsWith('_')) fail('not-found', `Unknown operation or endpoint '${second}' on ${type}`, { code: 'not-supported' });

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
  if (fourth !== undefined) fail('not-found', `No such endpoint: /${path.join('/')}`);
  if (third === '$validate') return method === 'POST' ? validate(req, type, id, svc) : notAllowed(req);
  const op = svc.operations.get(`${type}/${third}`);
  if (op && method === 'POST') return op(req, type, id, svc);
  fail('not-found', `Unknown operation '${third}' on ${type}`, { code: 'not-supported' });
}
