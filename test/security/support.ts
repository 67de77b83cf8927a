/** Shared helpers for the security tests (issue 5): hostile tokens, data set-up, paging. */
import { SignJWT, UnsecuredJWT } from 'jose';
import { expect } from 'vitest';
import { carePlan, careTeam } from '../fhir/fixtures.ts';
import { TEST_ISSUER, TEST_SECRET, type TestServer } from '../support/server.ts';

const key = (secret: string): Uint8Array => new TextEncoder().encode(secret);

export interface BadTokenOptions {
  secret?: string;
  issuer?: string;
  iat?: number;
  exp?: number;
  nbf?: number;
  claims?: Record<string, unknown>;
}

/** An HS256 token, by default valid as a system/*.cruds client; override pieces to make it bad. */
export async function signedToken(o: BadTokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ scope: 'system/*.cruds', ...o.claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .setIssuer(o.issuer ?? TEST_ISSUER)
    .setSubject('attacker')
    .setIssuedAt(o.iat ?? now)
    .setExpirationTime(o.exp ?? now + 600);
  if (o.nbf !== undefined) jwt.setNotBefore(o.nbf);
  return jwt.sign(key(o.secret ?? TEST_SECRET));
}

export const now = (): number => Math.floor(Date.now() / 1000);

export const badTokens = {
  expired: (): Promise<string> => signedToken({ iat: now() - 7200, exp: now() - 3600 }),
  notYetValid: (): Promise<string> => signedToken({ nbf: now() + 3600 }),
  wrongSecret: (): Promise<string> => signedToken({ secret: 'another-secret-that-is-also-32-bytes-long!!' }),
  wrongIssuer: (): Promise<string> => signedToken({ issuer: 'https://evil.example' }),
  algNone: (): Promise<string> =>
    Promise.resolve(
      new UnsecuredJWT({ scope: 'system/*.cruds' }).setIssuer(TEST_ISSUER).setSubject('attacker').setIssuedAt().setExpirationTime('10m').encode(),
    ),
  garbage: (): Promise<string> => Promise.resolve('not.a.jwt'),
};

/** A plan for `patient` on `team`; activity index 2 is performed by the patient (fixture). */
export function planFor(id: string, patient: string, team: string, changes: Partial<fhir4.CarePlan> = {}): fhir4.CarePlan & { id: string } {
  return { ...carePlan({ subject: { reference: patient }, careTeam: [{ reference: team }], ...changes }), id, title: `Plan ${id}` };
}

export const CARE_TEAM_ROLE = 'https://samplan.org/fhir/CodeSystem/samplan-careteam-role';

/** A practitioner on a team: who, in which samplan role, acting for which organisation (the profile wants one). */
export function participant(who: string, code: 'coordinator' | 'contact-person' | 'member', org: string): fhir4.CareTeamParticipant {
  return { member: { reference: who }, onBehalfOf: { reference: org }, role: [{ coding: [{ system: CARE_TEAM_ROLE, code }] }] };
}

export function teamFor(id: string, patient: string, participants: fhir4.CareTeamParticipant[], changes: Partial<fhir4.CareTeam> = {}): fhir4.CareTeam & { id: string } {
  return { ...careTeam({ subject: { reference: patient }, participant: participants, ...changes }), id };
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** Follows `next` links from `first` and returns every entry resource of every page, and how many pages. */
export async function allPages(s: TestServer, first: string, auth: string | null | undefined): Promise<{ resources: fhir4.FhirResource[]; pages: number; statuses: number[] }> {
  const resources: fhir4.FhirResource[] = [];
  const statuses: number[] = [];
  let url: string | undefined = first;
  let pages = 0;
  while (url && pages < 50) {
    const res = await s.request(url, auth === undefined ? {} : { auth });
    statuses.push(res.status);
    if (res.status !== 200) break;
    const bundle = await json<fhir4.Bundle>(res);
    pages++;
    for (const e of bundle.entry ?? []) if (e.resource && e.search?.mode !== 'include') resources.push(e.resource);
    url = bundle.link?.find((l) => l.relation === 'next')?.url;
  }
  return { resources, pages, statuses };
}

/** Total of `GET /fhir/{type}?_summary=count` with the default system token. */
export async function countOf(s: TestServer, type = 'CarePlan'): Promise<number> {
  const res = await s.request(`/fhir/${type}?_summary=count`);
  expect(res.status).toBe(200);
  const total = (await json<fhir4.Bundle>(res)).total;
  expect(typeof total).toBe('number');
  return total!;
}

export async function expectOutcome(res: Response): Promise<fhir4.OperationOutcome> {
  const text = await res.text();
  let body: fhir4.OperationOutcome | undefined;
  try {
    body = JSON.parse(text) as fhir4.OperationOutcome;
  } catch {
    throw new Error(`expected an OperationOutcome, got ${res.status} ${text.slice(0, 200)}`);
  }
  expect(body.resourceType).toBe('OperationOutcome');
  expect(body.issue?.length).toBeGreaterThan(0);
  return body;
}

/** A change to a plan, for the access matrix's PUT rows. */
export type Edit = (plan: fhir4.CarePlan) => fhir4.CarePlan;

export const retitle: Edit = (p) => ({ ...p, title: `${p.title ?? ''} (changed)` });
/** Progress on activity 2, which the patient performs (fixture). */
export const progressOwn: Edit = (p) => {
  const activity = structuredClone(p.activity ?? []);
  activity[2]!.detail!.status = 'in-progress';
  activity[2]!.progress = [{ text: 'Walked 20 minutes today' }];
  return { ...p, activity };
};
export const progressOther: Edit = (p) => {
  const activity = structuredClone(p.activity ?? []);
  activity[0]!.detail!.status = 'completed'; // performed by Organization/malmo-stad, not the patient
  return { ...p, activity };
};
export const moveToTeamP2: Edit = (p) => ({ ...p, careTeam: [{ reference: 'CareTeam/mx-team-p2' }] });
