/**
 * The rest-hook channel (https://hl7.org/fhir/R4/subscription.html#2.46.7.1):
 *
 *   - no payload (id-only): an empty POST to the endpoint;
 *   - payload application/fhir+json: the resource as a PUT to
 *     [endpoint]/[type]/[id], a deletion as a DELETE there (as HAPI's
 *     rest-hook delivery does);
 *   - the handshake on activation: an empty POST, like an id-only notification
 *     of nothing.
 *
 * Every request carries the channel's headers; a notification also carries
 * `X-Samplan-Event: Type/id/_history/n`, the change it reports, which is what
 * an id-only receiver reads next and what any receiver can ignore a repeat by
 * (a crash between the receiver's answer and samplan noting it sends once more).
 * Connections go only where endpoint.ts allows, checked on every request.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { FhirError } from '../errors.ts';
import type { VersionDoc } from '../store/index.ts';
import { FHIR_JSON, headerPairs } from './checks.ts';
import type { AllowList } from './endpoint.ts';

export class DeliveryFailed extends Error {}

export interface Send {
  method: 'POST' | 'PUT' | 'DELETE';
  url: URL;
  body?: string;
  event?: string;
}

/** The request that notifies `change` (none: the handshake) on this subscription's channel. */
export function requestFor(sub: fhir4.Subscription, endpoint: URL, change?: VersionDoc): Send {
  if (!change) return { method: 'POST', url: endpoint };
  const event = `${change.type}/${change.id}/_history/${change.versionId}`;
  if (sub.channel.payload !== FHIR_JSON) return { method: 'POST', url: endpoint, event };
  const url = new URL(`${endpoint.href.replace(/\/+$/, '')}/${change.type}/${encodeURIComponent(change.id)}`);
  return change.deleted || !change.resource ? { method: 'DELETE', url, event } : { method: 'PUT', url, body: JSON.stringify(change.resource), event };
}

/** The endpoint, as the configuration allows it now (it may have changed since the subscription was made). */
export function allowedEndpoint(sub: fhir4.Subscription, allow: AllowList): URL {
  try {
    const url = allow.checkUrl(sub.channel.endpoint ?? '');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // A literal address is connected to without a lookup: judged here instead.
    const why = isIP(host) ? allow.refusal(host) : undefined;
    if (why) throw new DeliveryFailed(`the endpoint is refused: ${why}`);
    return url;
  } catch (err) {
    if (err instanceof FhirError) throw new DeliveryFailed(err.message);
    throw err;
  }
}

/** Sends one request; resolves on a 2xx answer, throws DeliveryFailed otherwise. */
export async function send(sub: fhir4.Subscription, req: Send, allow: AllowList, timeoutMs: number): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [name, value] of headerPairs(sub.channel)) headers[name] = value;
  if (req.event) headers['X-Samplan-Event'] = req.event;
  if (req.body !== undefined) headers['Content-Type'] = `${FHIR_JSON}; charset=utf-8`;
  headers['Content-Length'] = String(req.body === undefined ? 0 : Buffer.byteLength(req.body));
  const request = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
  await new Promise<void>((resolve, reject) => {
    const r = request(req.url, { method: req.method, headers, lookup: allow.lookupFor(), timeout: timeoutMs, agent: false }, (res: IncomingMessage) => {
      res.resume(); // the answer's body is not read: a receiver cannot make samplan hold its data
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) resolve();
      else reject(new DeliveryFailed(`the endpoint answered ${status}`));
    });
    r.on('timeout', () => r.destroy(new DeliveryFailed(`no answer within ${timeoutMs} ms`)));
    r.on('error', (err) => reject(err instanceof DeliveryFailed ? err : new DeliveryFailed(`could not reach the endpoint: ${err.message}`)));
    r.end(req.body);
  });
}
