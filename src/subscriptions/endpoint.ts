/**
 * Where samplan may send notifications: a Subscription is not a way to make
 * samplan call arbitrary hosts (issue 14; the SSRF concern of
 * https://hl7.org/fhir/R4/subscription.html#2.46.8 "Safety and Security").
 *
 *   - https only in production; plain http only in development, and only to
 *     a loopback host;
 *   - the host must be named by SAMPLAN_SUBSCRIPTION_HOSTS: a host name, a
 *     `*.domain` pattern, or an IP address / CIDR block;
 *   - every address the host resolves to must be public, unless it lies in a
 *     block the list names: a listed name that resolves into the intranet or
 *     to loopback is refused until its addresses are listed too.
 *
 * The addresses are checked in the connection's own DNS lookup (lookupFor),
 * so what was checked is what is connected to: no second resolution a DNS
 * rebinding could answer differently.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { fail, quote } from '../errors.ts';

export interface EndpointRules {
  /** SAMPLAN_SUBSCRIPTION_HOSTS, split. */
  hosts: readonly string[];
  /** NODE_ENV=production: https only. */
  production: boolean;
}

/** Addresses nobody reaches from outside: loopback, private, link-local, carrier NAT, unspecified, unique-local. */
const INTERNAL = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['224.0.0.0', 3]] as const) INTERNAL.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) INTERNAL.addSubnet(net, prefix, 'ipv6');

const family = (address: string): 'ipv4' | 'ipv6' => (isIP(address) === 6 ? 'ipv6' : 'ipv4');
/** An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is. */
const unmapped = (address: string): string => address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');

export class AllowList {
  private readonly names: string[] = [];
  private readonly blocks = new BlockList();
  private hasBlocks = false;

  constructor(readonly rules: EndpointRules) {
    for (const raw of rules.hosts) {
      const entry = raw.trim().toLowerCase();
      if (!entry) continue;
      const [ip, prefix] = entry.split('/');
      if (ip && isIP(ip)) {
        const bits = prefix === undefined ? (isIP(ip) === 6 ? 128 : 32) : Number(prefix);
        if (!Number.isInteger(bits) || bits < 0 || bits > (isIP(ip) === 6 ? 128 : 32)) throw new Error(`SAMPLAN_SUBSCRIPTION_HOSTS: '${raw}' is not an address block`);
        this.blocks.addSubnet(ip, bits, family(ip));
        this.hasBlocks = true;
      } else if (/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(entry)) {
        this.names.push(entry);
      } else {
        throw new Error(`SAMPLAN_SUBSCRIPTION_HOSTS: '${raw}' is neither a host name, a *.domain pattern nor an address block`);
      }
    }
  }

  private listedAddress(address: string): boolean {
    const a = unmapped(address);
    return this.hasBlocks && this.blocks.check(a, family(a));
  }

  private listedName(host: string): boolean {
    return this.names.some((n) => (n.startsWith('*.') ? host.endsWith(n.slice(1)) : host === n));
  }

  /** The endpoint as a URL, or a 422 naming what the configuration does not allow. Nothing is resolved here. */
  checkUrl(endpoint: string): URL {
    const refuse = (why: string): never => fail('unprocessable', `Subscription.channel.endpoint ${quote(endpoint)}: ${why}`, { code: 'value', expression: 'Subscription.channel.endpoint' });
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      return refuse('not an absolute URL');
    }
    if (url.username || url.password) refuse('credentials belong in channel.header, not in the URL');
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (url.protocol === 'http:') {
      if (this.rules.production) refuse('notifications go over https only');
      if (!isLoopbackHost(host)) refuse('plain http is allowed only to a loopback host, in development; use https');
    } else if (url.protocol !== 'https:') {
      refuse('the endpoint must be an https URL');
    }
    const listed = isIP(host) ? this.listedAddress(host) : this.listedName(host);
    if (!listed) refuse(`this server does not notify ${quote(host)} (SAMPLAN_SUBSCRIPTION_HOSTS${this.rules.hosts.length === 0 ? ' is empty' : ''})`);
    return url;
  }

  /** Why samplan will not connect to `address`, or undefined when it may. */
  refusal(address: string): string | undefined {
    if (this.listedAddress(address)) return undefined;
    const a = unmapped(address);
    return INTERNAL.check(a, family(a)) ? `it resolves to ${a}, an internal address SAMPLAN_SUBSCRIPTION_HOSTS does not list` : undefined;
  }

  /** Resolves a host and checks every address (at creation, to answer the client at once). */
  async checkResolved(url: URL): Promise<void> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const refuse = (why: string): never => fail('unprocessable', `Subscription.channel.endpoint: ${why}`, { code: 'value', expression: 'Subscription.channel.endpoint' });
    const addresses = await new Promise<LookupAddress[]>((resolve, reject) => dnsLookup(host, { all: true }, (err, a) => (err ? reject(err) : resolve(a)))).catch(() => refuse(`${quote(host)} does not resolve`));
    for (const { address } of addresses) {
      const why = this.refusal(address);
      if (why) refuse(why);
    }
  }

  /** The DNS lookup for a notification's connection: every address is checked before it is used. */
  lookupFor(): LookupFunction {
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '', 0);
        const refused = addresses.map((a) => this.refusal(a.address)).find((w) => w !== undefined);
        if (refused) return callback(Object.assign(new Error(`refused: ${refused}`), { code: 'EREFUSED' }), '', 0);
        if (options.all) return callback(null, addresses);
        const [first] = addresses;
        if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        callback(null, first.address, first.family);
      });
    };
  }
}

function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const a = unmapped(host);
  return isIP(a) === 4 ? a.startsWith('127.') : a === '::1';
}
