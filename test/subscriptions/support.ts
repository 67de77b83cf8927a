/**
 * For the Subscription tests: a real HTTP receiver (node:http on 127.0.0.1)
 * that records what samplan sends it, a samplan allowed to notify it, and a
 * patient with a team and a plan. Waits are polls for a condition; their
 * deadline only stops a hung test.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import { planFor, participant, teamFor } from '../security/support.ts';
import { startTestServer, type TestServer, type TestServerOptions } from '../support/server.ts';

export { planFor, participant, teamFor };

export interface Received {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** The notifications (requests with X-Samplan-Event), as "METHOD event". */
  events(): string[];
  /** The status it answers with (default 200). */
  status: number;
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

export async function startReceiver(port = 0): Promise<Receiver> {
  let server: Server | undefined;
  const r: Receiver = {
    url: '',
    port,
    received: [],
    status: 200,
    events: () => r.received.filter((x) => x.headers['x-samplan-event']).map((x) => `${x.method} ${String(x.headers['x-samplan-event'])}`),
    async start() {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          r.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
          res.statusCode = r.status;
          res.end();
        });
      });
      await new Promise<void>((resolve) => server!.listen(r.port, '127.0.0.1', () => resolve()));
      r.port = (server.address() as AddressInfo).port;
      r.url = `http://127.0.0.1:${r.port}/hook`;
    },
    async stop() {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    },
  };
  await r.start();
  return r;
}

/** Waits for a condition (the deadline only stops a hung test: nothing here is a timing assertion). */
export async function until(cond: () => Promise<boolean> | boolean, what = 'condition', deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not reached`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

/** Fast retries, loopback allowed: the configuration a test samplan runs with. */
export const FAST = { SAMPLAN_SUBSCRIPTION_HOSTS: '127.0.0.1', SAMPLAN_SUBSCRIPTION_RETRY_MS: '20', SAMPLAN_SUBSCRIPTION_INTERVAL_MS: '20', SAMPLAN_SUBSCRIPTION_TIMEOUT_MS: '3000' };

export function startSamplan(env: Record<string, string> = {}, opts: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({ ...FAST, ...env }, { subscriptions: true, ...opts });
}

export interface Pair {
  s: TestServer;
  receiver: Receiver;
}

/** A receiver and a samplan allowed to notify it, started before the file's tests and stopped after them. */
export function receiverAndSamplan(env: Record<string, string> = {}): Pair {
  const pair = {} as Pair;
  beforeAll(async () => {
    pair.receiver = await startReceiver();
    pair.s = await startSamplan(env);
  });
  afterAll(async () => {
    await pair.s?.close();
    await pair.receiver?.stop();
  });
  return pair;
}

export const ORG = 'Organization/region-skane';

/** A patient's team with `practitioners` as members (the first coordinator), and a draft plan on it. */
export async function careScene(s: TestServer, name: string, practitioners: string[]): Promise<{ patient: string; team: string; plan: string }> {
  const patient = `Patient/${name}`;
  await s.seed({ resourceType: 'Patient', id: name, name: [{ family: name }] });
  const team = teamFor(`team-${name}`, patient, practitioners.map((p, i) => participant(p, i === 0 ? 'coordinator' : 'member', ORG)));
  expect((await s.request(`/fhir/CareTeam/${team.id}`, { method: 'PUT', json: team })).status).toBe(201);
  const plan = planFor(`plan-${name}`, patient, `CareTeam/${team.id}`);
  expect((await s.request(`/fhir/CarePlan/${plan.id}`, { method: 'PUT', json: plan })).status).toBe(201);
  return { patient, team: `CareTeam/${team.id}`, plan: `CarePlan/${plan.id}` };
}

export function subscription(criteria: string, endpoint: string, changes: Partial<fhir4.Subscription> = {}): fhir4.Subscription {
  return { resourceType: 'Subscription', status: 'requested', reason: 'EHR worklist', criteria, channel: { type: 'rest-hook', endpoint, payload: 'application/fhir+json' }, ...changes };
}

/** Creates a Subscription as `auth` (default a system client) and waits until its handshake made it active. */
export async function subscribe(s: TestServer, sub: fhir4.Subscription, auth?: string): Promise<fhir4.Subscription> {
  const res = await s.request('/fhir/Subscription', { method: 'POST', json: sub, ...(auth ? { auth } : {}) });
  const created = (await res.json()) as fhir4.Subscription;
  expect(res.status, JSON.stringify(created)).toBe(201);
  await until(async () => (await readSubscription(s, created.id!, auth)).status === 'active', 'the subscription active');
  return readSubscription(s, created.id!, auth);
}

export async function readSubscription(s: TestServer, id: string, auth?: string): Promise<fhir4.Subscription> {
  return (await (await s.request(`/fhir/Subscription/${id}`, auth ? { auth } : {})).json()) as fhir4.Subscription;
}

/** Changes a plan's title through the API (as a system client unless `auth`); answers its new version id. */
export async function retitle(s: TestServer, plan: string, title: string, auth?: string): Promise<string> {
  const current = (await (await s.request(`/fhir/${plan}`, auth ? { auth } : {})).json()) as fhir4.CarePlan;
  const res = await s.request(`/fhir/${plan}`, { method: 'PUT', json: { ...current, title }, ...(auth ? { auth } : {}) });
  const body = (await res.json()) as fhir4.CarePlan;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.meta!.versionId!;
}
