/**
 * Subscriptions (issue 14; https://hl7.org/fhir/R4/subscription.html): EHR
 * clients are told when a plan, team or goal they follow changes, instead of
 * polling. Channel rest-hook, full-resource or id-only payload.
 *
 *   checks.ts      what a Subscription write must pass; its owner and status are samplan's
 *   criteria.ts    criteria parsed by the search parser, judged by the store's matcher
 *   endpoint.ts    the allow-list: https, listed hosts, no internal addresses
 *   owner.ts       the owner recorded on the subscription; the `owner` search parameter
 *   queue.ts       the durable queue: the `notify` mark, deliveries keyed per change
 *   channel.ts     the rest-hook requests
 *   dispatcher.ts  handshake, fan-out, delivery as the owner, back-off, `error`
 */
import type { Config } from '../config.ts';
import type { WriteChecks } from '../fhir/types.ts';
import type { Database, Store } from '../store/index.ts';
import { withSubscriptionChecks } from './checks.ts';
import { SubscriptionDispatcher, type DispatcherOptions } from './dispatcher.ts';
import { AllowList } from './endpoint.ts';

export { ownerParam, ownerOf, OWNER_EXTENSION } from './owner.ts';
export { SUBSCRIPTION_INDEXES, Queue, type DeliveryDoc, type StateDoc } from './queue.ts';
export { SubscriptionDispatcher, type RoundResult } from './dispatcher.ts';

export interface SubscriptionSettings {
  hosts: string[];
  production: boolean;
  retryMs: number;
  maxFailures: number;
  timeoutMs: number;
  intervalMs: number;
}

/** No endpoint allowed: what a service gets that was not told otherwise. */
export const NO_SUBSCRIPTION_HOSTS: SubscriptionSettings = { hosts: [], production: true, retryMs: 2_000, maxFailures: 8, timeoutMs: 10_000, intervalMs: 1_000 };

export function subscriptionSettings(config: Config): SubscriptionSettings {
  return {
    hosts: config.subscriptionHosts,
    production: config.production,
    retryMs: config.subscriptionRetryMs,
    maxFailures: config.subscriptionMaxFailures,
    timeoutMs: config.subscriptionTimeoutMs,
    intervalMs: config.subscriptionIntervalMs,
  };
}

/** The write checks with the Subscriptions' own (owner, status, criteria, endpoint). */
export function subscriptionChecks(inner: WriteChecks, settings: SubscriptionSettings): WriteChecks {
  return withSubscriptionChecks(inner, new AllowList(settings));
}

/** Opens and starts the dispatcher (main.ts); stop it before closing the database. */
export async function startSubscriptions(db: Database, store: Store, settings: SubscriptionSettings, log?: DispatcherOptions['log']): Promise<SubscriptionDispatcher> {
  const dispatcher = await SubscriptionDispatcher.open(db, store, { ...settings, allow: new AllowList(settings), ...(log ? { log } : {}) });
  dispatcher.start();
  return dispatcher;
}
