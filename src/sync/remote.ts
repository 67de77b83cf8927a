/**
 * The FHIR server samplan syncs with (FHIR_SYNC_URL), over fetch. Only the
 * few interactions sync needs, each bounded — an answer must come whole within
 * the time limit (headers and body alike) and be no larger than the size cap,
 * read only that far — and every failure sorted into one of two kinds:
 *
 *   RemoteUnavailable  no answer, no answer in time, an answer too large or
 *                      not JSON, or a 5xx / 429: try again later (back-off);
 *   RemoteRefused      the server answered and said no (4xx): retrying the
 *                      same request will not help.
 *
 * Version ids on the server are opaque strings (issue 4: never assume numbers).
 */
export interface RemoteResource extends fhir4.DomainResource {
  resourceType: string;
  id: string;
  meta: fhir4.Meta & { versionId: string; lastUpdated?: string };
}

// Errors of the server's answers, for the sync engine alone: they never leave samplan as a
// response (FhirError is what callers of samplan see; /sync/status reports these as text).
export class RemoteUnavailable extends Error {}

export class RemoteRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The first diagnostics of an OperationOutcome answer, for error messages. */
function outcomeText(data: unknown): string {
  const o = data as fhir4.OperationOutcome | undefined;
  const i = o?.resourceType === 'OperationOutcome' ? o.issue?.[0] : undefined;
  return (i?.diagnostics ?? i?.details?.text ?? '').slice(0, 200);
}

export interface RemoteOptions {
  /** Per request, in ms: until the whole answer has come. */
  timeoutMs?: number;
  /** Largest answer read, in bytes (a page of 100 plans is a few MB). */
  maxBytes?: number;
  /** e.g. an Authorization header for the server. */
  headers?: Record<string, string>;
}

class TooLarge extends Error {}

/** The body as text, reading no more than `max` bytes of it. */
async function readCapped(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await res.body?.cancel();
    throw new TooLarge(`the answer is larger than ${max} bytes (Content-Length ${declared})`);
  }
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new TooLarge(`the answer is larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class RemoteServer {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly headers: Record<string, string>;

  constructor(
    readonly baseUrl: string,
    opts: RemoteOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
    this.headers = { accept: 'application/fhir+json', ...opts.headers };
  }

  private async call(method: 'GET' | 'PUT' | 'DELETE', path: string, body?: fhir4.Resource, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
    const url = `${this.baseUrl.replace(/\/$/, '')}/${path}`;
    let res: Response;
    let text: string;
    try {
      // One signal for the whole exchange: it also ends the reading of a body that never finishes.
      res = await fetch(url, {
        method,
        headers: { ...this.headers, ...(body ? { 'content-type': 'application/fhir+json' } : {}), ...headers },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await readCapped(res, this.maxBytes);
    } catch (err) {
      throw new RemoteUnavailable(`${method} ${path}: ${describeNetworkError(err as Error)}`);
    }
    let data: unknown;
    try {
      data = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      if (res.ok) throw new RemoteUnavailable(`${method} ${path}: HTTP ${res.status} with an answer that is not JSON`);
    }
    const { status } = res;
    if (status >= 500 || status === 429) throw new RemoteUnavailable(`${method} ${path}: HTTP ${status}`);
    if (status >= 400) throw new RemoteRefused(status, `${method} ${path}: HTTP ${status} ${outcomeText(data)}`.trim());
    return { status, body: data, headers: res.headers };
  }

  /** The current version, or null when the server has none (never created, or deleted). */
  async read(type: string, id: string): Promise<RemoteResource | null> {
    try {
      return asResource((await this.call('GET', `${type}/${encodeURIComponent(id)}`)).body, type, id);
    } catch (err) {
      if (err instanceof RemoteRefused && (err.status === 404 || err.status === 410)) return null;
      throw err;
    }
  }

  /**
   * Update (or create with the client's id). `ifMatch`: the server version the
   * change is based on; a 412 means someone else changed it first. Answers the
   * version the server stored for THIS request.
   */
  async put(resource: fhir4.Resource & { id: string }, ifMatch?: string): Promise<RemoteResource> {
    const { resourceType: type, id } = resource;
    // No If-Match: a create. `If-None-Match: *` asks the server to refuse (412) if the id is taken by
    // now (R5 added it to update-as-create, https://hl7.org/fhir/R5/http.html#upsert; RFC 9110
    // §13.1.2). Servers without it ignore the header: outbound.ts checks what the PUT replaced.
    const headers: Record<string, string> = ifMatch ? { 'if-match': `W/"${ifMatch}"` } : { 'if-none-match': '*' };
    const answer = await this.call('PUT', `${type}/${encodeURIComponent(id)}`, resource, headers);
    const stored = answer.body as Partial<RemoteResource>;
    if (stored?.meta?.versionId) return asResource(stored, type, id);
    // No body (Prefer: return=minimal is some servers' default): the ETag names the version
    // (https://hl7.org/fhir/R4/http.html#update). A read-back could return someone else's later version.
    const vid = /^(?:W\/)?"([^"]+)"$/.exec(answer.headers?.get('etag') ?? '')?.[1];
    if (vid) return { ...resource, meta: { ...resource.meta, versionId: vid } } as RemoteResource;
    const back = await this.read(type, id);
    if (back && back.meta.source === resource.meta?.source) return back;
    throw new RemoteUnavailable(`PUT ${type}/${id} answered without a version; sync will recognise its push on the next attempt`);
  }

  /**
   * The version the server holds just before `vid` in the resource's history
   * (newest first, https://hl7.org/fhir/R4/http.html#history), or null when
   * `vid` was the first, or is not among the newest few.
   */
  async versionBefore(type: string, id: string, vid: string): Promise<RemoteResource | null> {
    const found = entries((await this.call('GET', `${type}/${encodeURIComponent(id)}/_history?_count=10`)).body, type).filter((r) => r.id === id);
    const i = found.findIndex((r) => r.meta.versionId === vid);
    return i >= 0 ? (found[i + 1] ?? null) : null;
  }

  /** Deletes; a resource that is already gone counts as deleted. */
  async remove(type: string, id: string): Promise<void> {
    try {
      await this.call('DELETE', `${type}/${encodeURIComponent(id)}`);
    } catch (err) {
      if (err instanceof RemoteRefused && (err.status === 404 || err.status === 410)) return;
      throw err;
    }
  }

  /** One page of resources of `type` changed at or after `since`, oldest first. */
  async changedSince(type: string, since: Date, count: number, offset = 0): Promise<RemoteResource[]> {
    const q = new URLSearchParams({ _lastUpdated: `ge${since.toISOString()}`, _sort: '_lastUpdated', _count: String(count) });
    if (offset > 0) q.set('_offset', String(offset));
    return entries((await this.call('GET', `${type}?${q}`)).body, type);
  }

  /** Which of `ids` exist on the server (deleted ones do not). */
  async present(type: string, ids: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    const CHUNK = 50;
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const q = new URLSearchParams({ _id: chunk.join(','), _count: String(chunk.length), _elements: 'id' });
      for (const r of entries((await this.call('GET', `${type}?${q}`)).body, type)) out.add(r.id);
    }
    return out;
  }
}

function describeNetworkError(err: Error): string {
  const cause = (err as Error & { cause?: { code?: string } }).cause;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'no answer in time';
  return cause?.code ?? err.message;
}

/**
 * A server answer checked to be a version of the resource asked for: sync
 * writes what the server says into local records, so an answer of another
 * type or id (a bug there, or a hostile server) must not get that far.
 */
function asResource(body: unknown, type: string, id?: string): RemoteResource {
  const r = body as Partial<RemoteResource>;
  if (!r || r.resourceType !== type || typeof r.id !== 'string' || (id !== undefined && r.id !== id) || typeof r.meta?.versionId !== 'string') {
    throw new RemoteUnavailable(`The server answered for ${type}${id ? `/${id}` : ''} with something that is not a version of it`);
  }
  return r as RemoteResource;
}

/** The search matches of `type` in a Bundle; entries of other types (includes, outcomes, or worse) are left out. */
function entries(body: unknown, type: string): RemoteResource[] {
  const b = body as fhir4.Bundle;
  return (b?.entry ?? []).flatMap((e) => {
    const r = e.resource as Partial<RemoteResource> | undefined;
    return r?.resourceType === type && typeof r.id === 'string' && typeof r.meta?.versionId === 'string' ? [r as RemoteResource] : [];
  });
}
