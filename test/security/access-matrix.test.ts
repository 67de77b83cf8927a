/**
 * Issue 5, "Must show": a table of roles × interactions over real HTTP against
 * the real embedded database. Each row asserts the status; searches follow
 * every `next` link (`_count=2`) and assert that no foreign resource appears on
 * any page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { allPages, badTokens, json, moveToTeamP2, planFor, progressOther, progressOwn, retitle, teamFor, type Edit } from './support.ts';

let s: TestServer;

/** Every principal of the matrix; null = no Authorization header. */
type Who =
  | 'patient p1' | 'patient p2' | 'patient p1 (Goal scope only)'
  | 'next of kin listed' | 'next of kin not listed'
  | 'practitioner on team' | 'practitioner off team' | 'practitioner membership expired' | 'practitioner membership not started'
  | 'practitioner on inactive team' | 'practitioner via organisation' | 'practitioner of other organisation' | 'practitioner role of organisation'
  | 'practitioner read-only scope' | 'practitioner patient/ scope' | 'organisation administrator'
  | 'system *.cruds' | 'system CarePlan.rs' | 'system Goal.rs'
  | 'no token' | 'expired token' | 'nbf in future' | 'wrong signature' | 'wrong issuer' | 'alg none' | 'garbage token' | 'Basic scheme' | 'no system scope, no fhirUser';

const tokens = new Map<Who, string | null>();
/** Extra headers for a principal (the Basic case). */
const headers = new Map<Who, Record<string, string>>();

const P1 = 'Patient/p1';
const P2 = 'Patient/p2';
const P1_PLANS = ['mx-p1-a', 'mx-p1-b', 'mx-p1-c'];
const P2_PLANS = ['mx-p2-a', 'mx-p2-b', 'mx-p2-c'];

beforeAll(async () => {
  s = await startTestServer();
  const practitioner = (fhirUser: string, more: { organization?: string; scope?: string } = {}): Promise<string> => s.token({ kind: 'practitioner', fhirUser, ...more });
  const system = (scope: string): Promise<string> => s.token({ kind: 'system', scope });
  const entries: [Who, Promise<string | null>][] = [
    ['patient p1', s.token({ kind: 'patient', fhirUser: P1 })],
    ['patient p2', s.token({ kind: 'patient', fhirUser: P2 })],
    ['patient p1 (Goal scope only)', s.token({ kind: 'patient', fhirUser: P1, scope: 'patient/Goal.rs' })],
    ['next of kin listed', s.token({ kind: 'relatedPerson', fhirUser: 'RelatedPerson/mx-kin' })],
    ['next of kin not listed', s.token({ kind: 'relatedPerson', fhirUser: 'RelatedPerson/mx-kin-off' })],
    ['practitioner on team', practitioner('Practitioner/on')],
    ['practitioner off team', practitioner('Practitioner/stranger')],
    ['practitioner membership expired', practitioner('Practitioner/expired')],
    ['practitioner membership not started', practitioner('Practitioner/future')],
    ['practitioner on inactive team', practitioner('Practitioner/inact')],
    ['practitioner via organisation', practitioner('Practitioner/new-hire', { organization: 'Organization/org-a' })],
    ['practitioner of other organisation', practitioner('Practitioner/new-hire', { organization: 'Organization/org-b' })],
    ['practitioner role of organisation', practitioner('PractitionerRole/role-a')],
    ['practitioner read-only scope', practitioner('Practitioner/on', { scope: 'user/CarePlan.rs' })],
    ['practitioner patient/ scope', practitioner('Practitioner/on', { scope: 'patient/*.cruds' })],
    ['organisation administrator', practitioner('PractitionerRole/admin-a')],
    ['system *.cruds', system('system/*.cruds')],
    ['system CarePlan.rs', system('system/CarePlan.rs')],
    ['system Goal.rs', system('system/Goal.rs')],
    ['no token', Promise.resolve(null)],
    ['expired token', badTokens.expired()],
    ['nbf in future', badTokens.notYetValid()],
    ['wrong signature', badTokens.wrongSecret()],
    ['wrong issuer', badTokens.wrongIssuer()],
    ['alg none', badTokens.algNone()],
    ['garbage token', badTokens.garbage()],
    ['Basic scheme', Promise.resolve(null)],
    ['no system scope, no fhirUser', system('openid profile')],
  ];
  for (const [who, t] of entries) tokens.set(who, await t);
  headers.set('Basic scheme', { Authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` });

  // Teams: who is on which, and in what state.
  await s.seed(teamFor('mx-team-p1', P1, [
    { member: { reference: 'Practitioner/on' }, period: { start: '2024-01-01' } },
    { member: { reference: 'Practitioner/expired' }, period: { start: '2020-01-01', end: '2021-01-01' } },
    { member: { reference: 'Practitioner/future' }, period: { start: '2999-01-01' } },
    { member: { reference: 'Practitioner/someone' }, onBehalfOf: { reference: 'Organization/org-a' } },
    { member: { reference: 'RelatedPerson/mx-kin' } },
  ]));
  await s.seed({ resourceType: 'RelatedPerson', id: 'mx-kin', patient: { reference: P1 } });
  await s.seed({ resourceType: 'RelatedPerson', id: 'mx-kin-off', patient: { reference: P1 } });
  await s.seed(teamFor('mx-team-p2', P2, [{ member: { reference: 'Practitioner/on2' } }]));
  await s.seed(teamFor('mx-team-inactive', P1, [{ member: { reference: 'Practitioner/inact' } }], { status: 'inactive' }));
  await s.seed({ resourceType: 'PractitionerRole', id: 'role-a', active: true, practitioner: { reference: 'Practitioner/role-holder' }, organization: { reference: 'Organization/org-a' } });
  await s.seed({ resourceType: 'PractitionerRole', id: 'admin-a', active: true, practitioner: { reference: 'Practitioner/admin' }, organization: { reference: 'Organization/org-a' }, code: [{ coding: [{ system: 'https://samplan.org/fhir/CodeSystem/samplan-directory-role', code: 'administrator' }] }] });
  for (const r of DIRECTORY_RECORDS) await s.seed(r);

  for (const id of [...P1_PLANS, 'mx-p1-prog', 'mx-p1-upd', 'mx-p1-org-upd', 'mx-p1-del-prac', 'mx-p1-del-sys']) await s.seed(planFor(id, P1, 'CareTeam/mx-team-p1'));
  for (const id of P2_PLANS) await s.seed(planFor(id, P2, 'CareTeam/mx-team-p2'));
  await s.seed(planFor('mx-p1-inactive', P1, 'CareTeam/mx-team-inactive'));
});
afterAll(() => s?.close());

/** One stored record of each directory type (issue 9, door 3), written by the directory feed. */
const DIRECTORY_RECORDS: (fhir4.FhirResource & { id: string })[] = [
  { resourceType: 'Organization', id: 'org-a', name: 'Org A', telecom: [{ system: 'phone', value: '+46 40 00 00 01' }] },
  { resourceType: 'Organization', id: 'org-b', name: 'Org B', telecom: [{ system: 'phone', value: '+46 40 00 00 02' }] },
  { resourceType: 'Practitioner', id: 'dir-colleague', name: [{ family: 'Kollega' }] },
  { resourceType: 'PractitionerRole', id: 'dir-role', active: true, practitioner: { reference: 'Practitioner/dir-colleague' }, organization: { reference: 'Organization/org-b' } },
  { resourceType: 'RelatedPerson', id: 'dir-kin', patient: { reference: P1 }, name: [{ family: 'Anhörig' }] },
  { resourceType: 'Patient', id: 'p1', name: [{ family: 'Ett' }] },
];

interface Row {
  who: Who;
  what: string;
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';
  path: string;
  /** PUT: the change made to the current version (read with a system token). */
  edit?: Edit;
  /** POST: the new resource. */
  body?: () => unknown;
  /** PATCH: JSON Patch operations. */
  patch?: unknown[];
  status: number;
}


const newPlan = (team: string, patient = P1) => () => {
  const { id: _id, ...plan } = planFor('unused', patient, team);
  return plan;
};

const table: Row[] = [
  // ── patient: own compartment only; another's record is 404, never 403 ──
  { who: 'patient p1', what: 'read own plan', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 200 },
  { who: 'patient p1', what: "read other patient's plan", method: 'GET', path: '/fhir/CarePlan/mx-p2-a', status: 404 },
  { who: 'patient p1', what: 'read a plan that does not exist (same answer)', method: 'GET', path: '/fhir/CarePlan/mx-nope', status: 404 },
  { who: 'patient p1', what: "vread other patient's plan", method: 'GET', path: '/fhir/CarePlan/mx-p2-a/_history/1', status: 404 },
  { who: 'patient p1', what: "history of other patient's plan", method: 'GET', path: '/fhir/CarePlan/mx-p2-a/_history', status: 404 },
  { who: 'patient p1', what: 'read own care team', method: 'GET', path: '/fhir/CareTeam/mx-team-p1', status: 200 },
  { who: 'patient p1', what: "read other patient's care team", method: 'GET', path: '/fhir/CareTeam/mx-team-p2', status: 404 },
  { who: 'patient p1', what: 'update progress of own activity', method: 'PUT', path: '/fhir/CarePlan/mx-p1-prog', edit: progressOwn, status: 200 },
  { who: 'patient p1', what: 'change the title of own plan', method: 'PUT', path: '/fhir/CarePlan/mx-p1-prog', edit: retitle, status: 403 },
  { who: 'patient p1', what: "change progress of an activity someone else performs", method: 'PUT', path: '/fhir/CarePlan/mx-p1-prog', edit: progressOther, status: 403 },
  { who: 'patient p1', what: 'move own plan to another team', method: 'PUT', path: '/fhir/CarePlan/mx-p1-prog', edit: moveToTeamP2, status: 403 },
  // A patient's token has .u but not .c: a plan they cannot see is judged like one that is not there (a create: 403).
  { who: 'patient p1', what: "update other patient's plan", method: 'PUT', path: '/fhir/CarePlan/mx-p2-a', edit: progressOwn, status: 403 },
  { who: 'patient p1', what: 'patch the title of own plan', method: 'PATCH', path: '/fhir/CarePlan/mx-p1-a', patch: [{ op: 'replace', path: '/title', value: 'x' }], status: 403 },
  { who: 'patient p1', what: 'delete own plan', method: 'DELETE', path: '/fhir/CarePlan/mx-p1-a', status: 403 },
  // A patient's token has no .d at all: the scope is asked first (as for reads), so every DELETE is 403
  // whoever's plan it names, and whether it exists or not; the answer says nothing about the record.
  { who: 'patient p1', what: "delete other patient's plan (no delete scope: refused before the record is looked at)", method: 'DELETE', path: '/fhir/CarePlan/mx-p2-a', status: 403 },
  { who: 'patient p1', what: 'delete a plan that does not exist (same answer)', method: 'DELETE', path: '/fhir/CarePlan/mx-nope', status: 403 },
  { who: 'patient p1', what: 'create a plan for themself', method: 'POST', path: '/fhir/CarePlan', body: newPlan('CareTeam/mx-team-p1'), status: 403 },
  { who: 'patient p1', what: "$agree to other patient's plan", method: 'POST', path: '/fhir/CarePlan/mx-p2-a/$agree', status: 404 },
  { who: 'patient p2', what: 'read own plan', method: 'GET', path: '/fhir/CarePlan/mx-p2-a', status: 200 },
  { who: 'patient p2', what: "read p1's plan", method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 404 },
  { who: 'patient p1 (Goal scope only)', what: 'read own plan without a CarePlan scope', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 403 },

  // ── next of kin: the plans of the patient whose team lists them; no writes ──
  { who: 'next of kin listed', what: "read the plan of the patient whose team lists them", method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 200 },
  { who: 'next of kin listed', what: 'read the team that lists them', method: 'GET', path: '/fhir/CareTeam/mx-team-p1', status: 200 },
  { who: 'next of kin listed', what: "read another patient's plan", method: 'GET', path: '/fhir/CarePlan/mx-p2-a', status: 404 },
  { who: 'next of kin listed', what: 'read a plan of an inactive team of the patient', method: 'GET', path: '/fhir/CarePlan/mx-p1-inactive', status: 404 },
  { who: 'next of kin listed', what: 'update the plan', method: 'PUT', path: '/fhir/CarePlan/mx-p1-upd', edit: retitle, status: 403 },
  { who: 'next of kin listed', what: 'create a plan', method: 'POST', path: '/fhir/CarePlan', body: newPlan('CareTeam/mx-team-p1'), status: 403 },
  { who: 'next of kin listed', what: 'delete the plan', method: 'DELETE', path: '/fhir/CarePlan/mx-p1-a', status: 403 },
  { who: 'next of kin listed', what: "$agree to another patient's plan", method: 'POST', path: '/fhir/CarePlan/mx-p2-a/$agree', status: 404 },
  { who: 'next of kin listed', what: '$agree without a reason', method: 'POST', path: '/fhir/CarePlan/mx-p1-a/$agree', status: 422 },
  { who: 'next of kin not listed', what: 'read a plan of the patient their record names', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 404 },
  { who: 'next of kin not listed', what: 'read the patient', method: 'GET', path: '/fhir/Patient/p1', status: 404 },

  // ── practitioner on / off the care team ──
  { who: 'practitioner on team', what: 'read plan of their team', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 200 },
  { who: 'practitioner on team', what: 'read plan of another team', method: 'GET', path: '/fhir/CarePlan/mx-p2-a', status: 404 },
  { who: 'practitioner on team', what: 'read the other team', method: 'GET', path: '/fhir/CareTeam/mx-team-p2', status: 404 },
  { who: 'practitioner on team', what: 'update plan of their team', method: 'PUT', path: '/fhir/CarePlan/mx-p1-upd', edit: retitle, status: 200 },
  { who: 'practitioner on team', what: 'patch plan of their team', method: 'PATCH', path: '/fhir/CarePlan/mx-p1-upd', patch: [{ op: 'replace', path: '/title', value: 'Patched by on' }], status: 200 },
  { who: 'practitioner on team', what: 'move their plan to a team they are not on', method: 'PUT', path: '/fhir/CarePlan/mx-p1-upd', edit: moveToTeamP2, status: 403 },
  { who: 'practitioner on team', what: 'update plan of another team', method: 'PUT', path: '/fhir/CarePlan/mx-p2-b', edit: retitle, status: 404 },
  { who: 'practitioner on team', what: 'delete plan of their team', method: 'DELETE', path: '/fhir/CarePlan/mx-p1-del-prac', status: 204 },
  { who: 'practitioner on team', what: 'delete plan of another team', method: 'DELETE', path: '/fhir/CarePlan/mx-p2-c', status: 404 },
  { who: 'practitioner on team', what: 'create plan referencing their team', method: 'POST', path: '/fhir/CarePlan', body: newPlan('CareTeam/mx-team-p1'), status: 201 },
  { who: 'practitioner on team', what: 'create plan referencing a team they are not on', method: 'POST', path: '/fhir/CarePlan', body: newPlan('CareTeam/mx-team-p2', P2), status: 403 },
  { who: 'practitioner off team', what: 'read plan', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 404 },
  { who: 'practitioner off team', what: 'update plan', method: 'PUT', path: '/fhir/CarePlan/mx-p1-upd', edit: retitle, status: 404 },
  { who: 'practitioner off team', what: 'delete plan', method: 'DELETE', path: '/fhir/CarePlan/mx-p1-a', status: 404 },
  { who: 'practitioner off team', what: 'create plan on a team they are not on', method: 'POST', path: '/fhir/CarePlan', body: newPlan('CareTeam/mx-team-p1'), status: 403 },

  // ── membership in time and team status ──
  { who: 'practitioner membership expired', what: 'read plan (participant period ended)', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 404 },
  { who: 'practitioner membership expired', what: 'update plan', method: 'PUT', path: '/fhir/CarePlan/mx-p1-upd', edit: retitle, status: 404 },
  { who: 'practitioner membership expired', what: 'create plan on the team', method: 'POST', path: '/fhir/CarePlan', body: newPlan('CareTeam/mx-team-p1'), status: 403 },
  { who: 'practitioner membership not started', what: 'read plan (participant period in the future)', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 404 },
  { who: 'practitioner on inactive team', what: 'read plan of an inactive team', method: 'GET', path: '/fhir/CarePlan/mx-p1-inactive', status: 404 },
  { who: 'practitioner on inactive team', what: 'update plan of an inactive team', method: 'PUT', path: '/fhir/CarePlan/mx-p1-inactive', edit: retitle, status: 404 },

  // ── membership through the organisation (onBehalfOf) ──
  { who: 'practitioner via organisation', what: 'read plan of a team their organisation is on', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 200 },
  { who: 'practitioner via organisation', what: 'update plan of that team', method: 'PUT', path: '/fhir/CarePlan/mx-p1-org-upd', edit: retitle, status: 200 },
  { who: 'practitioner via organisation', what: 'read plan of another team', method: 'GET', path: '/fhir/CarePlan/mx-p2-a', status: 404 },
  { who: 'practitioner of other organisation', what: 'read plan', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 404 },
  { who: 'practitioner role of organisation', what: 'read plan (organisation of the PractitionerRole)', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 200 },
  { who: 'practitioner role of organisation', what: 'read plan of another team', method: 'GET', path: '/fhir/CarePlan/mx-p2-a', status: 404 },

  // ── practitioner scopes ──
  { who: 'practitioner read-only scope', what: 'read plan of their team', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 200 },
  { who: 'practitioner read-only scope', what: 'update plan of their team', method: 'PUT', path: '/fhir/CarePlan/mx-p1-upd', edit: retitle, status: 403 },
  { who: 'practitioner patient/ scope', what: 'read plan with a patient/ scope', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 403 },

  // ── system clients by scope ──
  { who: 'system *.cruds', what: "read p1's plan", method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 200 },
  { who: 'system *.cruds', what: "read p2's plan", method: 'GET', path: '/fhir/CarePlan/mx-p2-a', status: 200 },
  { who: 'system *.cruds', what: 'update plan', method: 'PUT', path: '/fhir/CarePlan/mx-p1-upd', edit: retitle, status: 200 },
  { who: 'system *.cruds', what: 'create plan', method: 'POST', path: '/fhir/CarePlan', body: newPlan('CareTeam/mx-team-p2', P2), status: 201 },
  { who: 'system *.cruds', what: 'delete plan', method: 'DELETE', path: '/fhir/CarePlan/mx-p1-del-sys', status: 204 },
  { who: 'system CarePlan.rs', what: 'read plan', method: 'GET', path: '/fhir/CarePlan/mx-p2-a', status: 200 },
  { who: 'system CarePlan.rs', what: 'search plans', method: 'GET', path: '/fhir/CarePlan?_count=1', status: 200 },
  { who: 'system CarePlan.rs', what: 'update plan', method: 'PUT', path: '/fhir/CarePlan/mx-p1-upd', edit: retitle, status: 403 },
  { who: 'system CarePlan.rs', what: 'patch plan', method: 'PATCH', path: '/fhir/CarePlan/mx-p1-upd', patch: [{ op: 'replace', path: '/title', value: 'x' }], status: 403 },
  { who: 'system CarePlan.rs', what: 'create plan', method: 'POST', path: '/fhir/CarePlan', body: newPlan('CareTeam/mx-team-p1'), status: 403 },
  { who: 'system CarePlan.rs', what: 'delete plan', method: 'DELETE', path: '/fhir/CarePlan/mx-p1-a', status: 403 },
  { who: 'system CarePlan.rs', what: 'read a care team (type not in scope)', method: 'GET', path: '/fhir/CareTeam/mx-team-p1', status: 403 },
  { who: 'system Goal.rs', what: 'read plan', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 403 },
  { who: 'system Goal.rs', what: 'search plans', method: 'GET', path: '/fhir/CarePlan', status: 403 },

  // ── directory records (issue 9, door 3): the directory feed writes them; an administrator only their own organisation ──
  ...directoryRows(),

  // ── authentication ──
  { who: 'no token', what: 'read plan', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 401 },
  { who: 'no token', what: 'search plans', method: 'GET', path: '/fhir/CarePlan', status: 401 },
  { who: 'no token', what: 'create plan', method: 'POST', path: '/fhir/CarePlan', body: newPlan('CareTeam/mx-team-p1'), status: 401 },
  { who: 'no token', what: 'delete plan', method: 'DELETE', path: '/fhir/CarePlan/mx-p1-a', status: 401 },
  { who: 'no token', what: 'read metadata (public)', method: 'GET', path: '/fhir/metadata', status: 200 },
  { who: 'expired token', what: 'read plan', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 401 },
  { who: 'expired token', what: 'delete plan', method: 'DELETE', path: '/fhir/CarePlan/mx-p1-a', status: 401 },
  { who: 'nbf in future', what: 'read plan', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 401 },
  { who: 'wrong signature', what: 'read plan', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 401 },
  { who: 'wrong signature', what: 'update plan', method: 'PUT', path: '/fhir/CarePlan/mx-p1-upd', edit: retitle, status: 401 },
  { who: 'wrong issuer', what: 'read plan', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 401 },
  { who: 'alg none', what: 'read plan', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 401 },
  { who: 'alg none', what: 'create plan', method: 'POST', path: '/fhir/CarePlan', body: newPlan('CareTeam/mx-team-p1'), status: 401 },
  { who: 'garbage token', what: 'read plan', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 401 },
  { who: 'Basic scheme', what: 'read plan', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 401 },
  { who: 'no system scope, no fhirUser', what: 'read plan', method: 'GET', path: '/fhir/CarePlan/mx-p1-a', status: 401 },
];

/** For each directory type and each kind of principal: create, update and delete. */
function directoryRows(): Row[] {
  const rows: Row[] = [];
  // Every directory type has identifiers: adding one is a change any of them takes. (Edit is typed for plans.)
  const touch: Edit = (r) => ({ ...r, identifier: [...(r.identifier ?? []), { system: 'urn:samplan:test', value: `touched-${Math.random()}` }] });
  const who: [Who, { create: number; update: number; remove: number }][] = [
    ['patient p1', { create: 403, update: 403, remove: 403 }],
    ['practitioner on team', { create: 403, update: 403, remove: 403 }],
    ['practitioner via organisation', { create: 403, update: 403, remove: 403 }],
    ['practitioner role of organisation', { create: 403, update: 403, remove: 403 }],
    ['system CarePlan.rs', { create: 403, update: 403, remove: 403 }],
  ];
  for (const record of DIRECTORY_RECORDS.filter((r) => r.id !== 'org-a')) {
    const path = `/fhir/${record.resourceType}/${record.id}`;
    for (const [principal, expect] of who) {
      // A patient's token holds no create or delete scope for these types: refused by scope, 403 all the same.
      rows.push({ who: principal, what: `create a ${record.resourceType}`, method: 'POST', path: `/fhir/${record.resourceType}`, body: () => ({ ...record, id: undefined, identifier: [{ system: 'urn:x', value: 'new' }] }), status: expect.create });
      rows.push({ who: principal, what: `update ${record.resourceType}/${record.id}`, method: 'PUT', path, edit: touch, status: principal === 'patient p1' && record.resourceType === 'RelatedPerson' ? 403 : expect.update });
      rows.push({ who: principal, what: `delete ${record.resourceType}/${record.id}`, method: 'DELETE', path, status: expect.remove });
    }
    rows.push({ who: 'organisation administrator', what: `update ${record.resourceType}/${record.id} (not their own organisation)`, method: 'PUT', path, edit: touch, status: 403 });
    rows.push({ who: 'system *.cruds', what: `update ${record.resourceType}/${record.id}`, method: 'PUT', path, edit: touch, status: 200 });
  }
  rows.push(
    { who: 'organisation administrator', what: 'update their own organisation', method: 'PUT', path: '/fhir/Organization/org-a', edit: touch, status: 200 },
    { who: 'organisation administrator', what: 'delete their own organisation', method: 'DELETE', path: '/fhir/Organization/org-a', status: 403 },
    { who: 'practitioner via organisation', what: 'update the organisation they act for', method: 'PUT', path: '/fhir/Organization/org-a', edit: touch, status: 403 },
    { who: 'system *.cruds', what: 'create an Organization (the directory feed)', method: 'POST', path: '/fhir/Organization', body: () => ({ resourceType: 'Organization', name: 'Ny' }), status: 201 },
    { who: 'system *.cruds', what: 'delete a RelatedPerson (the directory feed)', method: 'DELETE', path: '/fhir/RelatedPerson/dir-kin', status: 204 },
  );
  return rows;
}

async function send(row: Row): Promise<Response> {
  const auth = tokens.get(row.who);
  if (auth === undefined) throw new Error(`no token for ${row.who}`);
  const init: RequestInit & { auth?: string | null; json?: unknown } = { method: row.method, auth, headers: headers.get(row.who) ?? {} };
  if (row.edit) {
    const current = await s.request(row.path); // system token
    expect(current.status, `set-up read of ${row.path}`).toBe(200);
    init.json = row.edit(await json<fhir4.CarePlan>(current));
  } else if (row.body) {
    init.json = row.body();
  } else if (row.patch) {
    init.body = JSON.stringify(row.patch);
    init.headers = { ...(init.headers as Record<string, string>), 'Content-Type': 'application/json-patch+json' };
  }
  return s.request(row.path, init);
}

describe('roles × interactions', () => {
  it('has at least 40 rows', () => {
    expect(table.length).toBeGreaterThanOrEqual(40);
  });

  it.each(table.map((r) => [r.who, r.method, r.path, r.what, r.status, r] as const))('%s: %s %s (%s) → %i', async (_who, _m, _p, _w, status, row) => {
    const res = await send(row);
    const text = await res.text();
    expect(res.status, text.slice(0, 400)).toBe(status);
    if (status >= 400) {
      const oo = JSON.parse(text) as fhir4.OperationOutcome;
      expect(oo.resourceType).toBe('OperationOutcome');
      // Nothing of the record leaks into a refusal.
      expect(text).not.toContain('Samordnad');
    }
    if (status === 401) {
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="samplan"/);
    }
    if (status === 404) {
      // A refused record and an unknown one answer alike: no 403, no hint of existence.
      expect(text).not.toMatch(/forbidden|not allowed|permission/i);
    }
  });
});

describe('search is narrowed before paging: no foreign resource on any page', () => {
  const planSearch = '/fhir/CarePlan?_count=2';
  const ids = (rs: fhir4.FhirResource[]): string[] => rs.map((r) => r.id!);

  it('patient p1 sees only their own plans, over several pages', async () => {
    const { resources, pages, statuses } = await allPages(s, planSearch, tokens.get('patient p1'));
    expect(statuses.every((st) => st === 200)).toBe(true);
    expect(pages).toBeGreaterThanOrEqual(2);
    for (const r of resources) expect((r as fhir4.CarePlan).subject?.reference).toBe(P1);
    expect(ids(resources)).toEqual(expect.arrayContaining(P1_PLANS));
    for (const id of P2_PLANS) expect(ids(resources)).not.toContain(id);
    expect(new Set(ids(resources)).size).toBe(resources.length); // no page repeats another
  });

  it('patient p2 sees only their own plans, over several pages', async () => {
    const { resources, pages } = await allPages(s, planSearch, tokens.get('patient p2'));
    expect(pages).toBeGreaterThanOrEqual(2);
    for (const r of resources) expect((r as fhir4.CarePlan).subject?.reference).toBe(P2);
    expect(ids(resources)).toEqual(expect.arrayContaining(P2_PLANS));
  });

  it.each([
    ['subject=Patient/p2'],
    ['patient=Patient/p2'],
    ['_id=mx-p2-a'],
    ['care-team=CareTeam/mx-team-p2'],
  ])("patient p1 asking for p2's plans explicitly (%s) gets an empty bundle", async (q) => {
    const { resources, statuses } = await allPages(s, `/fhir/CarePlan?${q}&_count=2`, tokens.get('patient p1'));
    expect(statuses).toEqual([200]);
    expect(resources).toEqual([]);
  });

  it('patient p1 sees only their own care teams', async () => {
    const { resources } = await allPages(s, '/fhir/CareTeam?_count=1', tokens.get('patient p1'));
    expect(resources.length).toBeGreaterThanOrEqual(1);
    for (const r of resources) expect((r as fhir4.CareTeam).subject?.reference).toBe(P1);
  });

  it('_include cannot pull in a foreign care team', async () => {
    const res = await s.request('/fhir/CarePlan?_include=CarePlan:care-team&_count=50', { auth: tokens.get('patient p1')! });
    expect(res.status).toBe(200);
    const bundle = await json<fhir4.Bundle>(res);
    for (const e of bundle.entry ?? []) {
      const r = e.resource as fhir4.CarePlan | fhir4.CareTeam;
      expect(r.subject?.reference).toBe(P1);
    }
  });

  it('a practitioner on the team sees only the plans of their active teams', async () => {
    const { resources, pages } = await allPages(s, planSearch, tokens.get('practitioner on team'));
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(ids(resources)).toEqual(expect.arrayContaining(P1_PLANS));
    for (const r of resources) expect((r as fhir4.CarePlan).careTeam?.map((t) => t.reference)).toContain('CareTeam/mx-team-p1');
    expect(ids(resources)).not.toContain('mx-p1-inactive');
  });

  it('a practitioner via their organisation sees the same plans, and nothing of another team', async () => {
    const { resources, pages } = await allPages(s, planSearch, tokens.get('practitioner via organisation'));
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(ids(resources)).toEqual(expect.arrayContaining(P1_PLANS));
    for (const r of resources) expect((r as fhir4.CarePlan).careTeam?.map((t) => t.reference)).toContain('CareTeam/mx-team-p1');
  });

  it.each<Who>(['practitioner off team', 'practitioner membership expired', 'practitioner membership not started', 'practitioner on inactive team', 'practitioner of other organisation'])(
    '%s finds no plan at all',
    async (who) => {
      const { resources, statuses } = await allPages(s, planSearch, tokens.get(who));
      expect(statuses).toEqual([200]);
      expect(resources).toEqual([]);
    },
  );

  it('a system client with system/*.cruds sees both patients', async () => {
    const { resources } = await allPages(s, '/fhir/CarePlan?_count=5', tokens.get('system *.cruds'));
    const subjects = new Set(resources.map((r) => (r as fhir4.CarePlan).subject?.reference));
    expect(subjects.has(P1) && subjects.has(P2)).toBe(true);
  });

  it('_summary=count is narrowed too', async () => {
    const p1 = await json<fhir4.Bundle>(await s.request('/fhir/CarePlan?_summary=count', { auth: tokens.get('patient p1')! }));
    const all = await json<fhir4.Bundle>(await s.request('/fhir/CarePlan?_summary=count'));
    const { resources } = await allPages(s, planSearch, tokens.get('patient p1'));
    expect(p1.total).toBe(resources.length);
    expect(all.total!).toBeGreaterThan(p1.total!);
  });
});
