/**
 * What a Subscription write must pass before it is stored (the WriteChecks
 * seam every write goes through, src/fhir/types.ts): validation as for any
 * resource, then what samplan can deliver — a rest-hook with a full-resource
 * or id-only payload (https://hl7.org/fhir/R4/subscription.html#channels),
 * criteria it can judge (criteria.ts), an endpoint the configuration allows
 * (endpoint.ts), headers that are headers. Then samplan's part:
 *
 *   - the owner is the caller, stamped from the verified token (owner.ts);
 *   - the status is the server's to move (R4: the client asks `requested`
 *     or `off`; https://hl7.org/fhir/R4/valueset-subscription-status.html).
 *     A new or changed subscription is `requested` until its handshake
 *     succeeds; an active one whose channel and criteria stay as they were
 *     stays active.
 */
import type { CallContext } from '../auth/index.ts';
import { fail, quote } from '../errors.ts';
import type { WriteChecks } from '../fhir/types.ts';
import { parseCriteria } from './criteria.ts';
import type { AllowList } from './endpoint.ts';
import { withOwner, withoutOwner } from './owner.ts';

/** The full-resource payload samplan sends; no payload means id-only (an empty POST). */
export const FHIR_JSON = 'application/fhir+json';

/** Headers samplan sets itself, or that would change how the request is framed or routed. */
const RESERVED_HEADER = /^(host|content-length|content-type|transfer-encoding|connection|keep-alive|upgrade|te|trailer|expect|proxy-.*)$/i;
const HEADER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\r\n\u0000]*)$/;

const refuse = (diagnostics: string, expression: string): never => fail('unprocessable', diagnostics, { code: 'not-supported', expression });

/** `Name: value` lines of channel.header as header pairs (checked: checkSubscription). */
export function headerPairs(channel: fhir4.SubscriptionChannel): [string, string][] {
  return (channel.header ?? []).flatMap((h) => {
    const m = HEADER.exec(h);
    return m?.[1] && m[2] !== undefined ? [[m[1], m[2]] as [string, string]] : [];
  });
}

function checkChannel(channel: fhir4.SubscriptionChannel): void {
  if (channel.type !== 'rest-hook') refuse(`Subscription.channel.type ${quote(channel.type)} is not supported: samplan delivers rest-hook only`, 'Subscription.channel.type');
  if (!channel.endpoint) refuse('Subscription.channel.endpoint is required for a rest-hook', 'Subscription.channel.endpoint');
  if (channel.payload !== undefined && channel.payload !== FHIR_JSON) refuse(`Subscription.channel.payload ${quote(channel.payload)} is not supported: ${FHIR_JSON} (the full resource) or none (id-only)`, 'Subscription.channel.payload');
  (channel.header ?? []).forEach((h, i) => {
    const name = HEADER.exec(h)?.[1];
    if (!name) return refuse(`Subscription.channel.header[${i}] must be 'Name: value' on one line`, `Subscription.channel.header[${i}]`);
    if (RESERVED_HEADER.test(name)) refuse(`Subscription.channel.header[${i}]: samplan sets ${quote(name)} itself`, `Subscription.channel.header[${i}]`);
  });
}

const sameDelivery = (a: fhir4.Subscription, b: fhir4.Subscription): boolean =>
  a.criteria === b.criteria && JSON.stringify(a.channel) === JSON.stringify(b.channel);

/** The Subscription to store for this caller, or a 422 saying what samplan cannot do with it. */
export async function checkSubscription(ctx: CallContext, current: fhir4.Subscription | null, next: fhir4.Subscription, allow: AllowList): Promise<fhir4.Subscription> {
  checkChannel(next.channel);
  parseCriteria(next.criteria);
  const url = allow.checkUrl(next.channel.endpoint ?? '');
  await allow.checkResolved(url);
  const keepActive = next.status === 'active' && current?.status === 'active' && sameDelivery(current, next);
  const status: fhir4.Subscription['status'] = next.status === 'off' ? 'off' : keepActive ? 'active' : 'requested';
  const { error: _error, ...rest } = next;
  return withOwner({ ...rest, status }, ctx.principal);
}

/** The write checks with Subscriptions' own after the shared ones. */
export function withSubscriptionChecks(inner: WriteChecks, allow: AllowList): WriteChecks {
  return {
    validate: (resource, profile) => inner.validate(resource, profile),
    async beforeWrite(ctx, current, next) {
      // The owner is samplan's to write: whatever the body says of it is dropped before anything judges it.
      const checked = await inner.beforeWrite(ctx, current, next.resourceType === 'Subscription' ? withoutOwner(next) : next);
      if (checked.resourceType !== 'Subscription') return checked;
      return checkSubscription(ctx, current?.resourceType === 'Subscription' ? current : null, checked, allow);
    },
  };
}
