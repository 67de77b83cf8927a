/**
 * samplan's own FHIR API from the browser, as any SMART app sees it.
 *
 * Sign-in is SMART App Launch, standalone, authorization code + PKCE, by
 * fhirclient against the provider `/.well-known/smart-configuration` names
 * (https://hl7.org/fhir/smart-app-launch/app-launch.html). fhirclient keeps
 * the token in sessionStorage, so a reload stays signed in and closing the tab
 * signs out; there is no server-side session. The calls themselves are plain
 * fetch with the Bearer token, so each answer's status, ETag and
 * OperationOutcome reach the page as they are (see FhirProblem).
 */
import FHIR from 'fhirclient';
import type Client from 'fhirclient/lib/Client';

export interface AppSettings {
  clientId: string;
  scope: string;
  /** Where the provider sends the browser back: the app's own page. */
  redirectPath: string;
}

export type ProblemKind = 'expired' | 'offline' | 'refused' | 'not-found' | 'conflict' | 'invalid' | 'not-for-me' | 'other';

/** A call that did not succeed, with the server's OperationOutcome when it sent one. */
export class FhirProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    readonly status: number,
    readonly outcome?: fhir4.OperationOutcome,
    /** The app's own words for the problem, when it is the app that refuses (not-for-me). */
    readonly words?: { title: string; text: string },
  ) {
    super(`${kind} (${status})`);
  }
}

/** The provider sent the person back without a sign-in (they cancelled, or it refused): `?error=…`. */
export class SignInRefused extends Error {}

/** How long a call may take before the page says the service does not answer (a stalled phone network). */
const TIMEOUT_MS = 20_000;

export interface Session {
  client: Client;
  /** `Patient/p1`, `RelatedPerson/r1`, `Practitioner/x`: who signed in. */
  fhirUser: string;
  /** The FHIR base, e.g. `http://localhost:8080/fhir`. */
  base: string;
}

export function fhirBase(): string {
  return `${location.origin}/fhir`;
}

export async function signIn(settings: AppSettings): Promise<void> {
  await FHIR.oauth2.authorize({
    iss: fhirBase(),
    clientId: settings.clientId,
    scope: settings.scope,
    redirectUri: `${location.origin}${settings.redirectPath}`,
    // The page is the app's; open the provider in the same tab.
    completeInTarget: true,
  });
}

/** The signed-in session, or undefined when nobody is signed in (show the sign-in page). */
export async function resume(): Promise<Session | undefined> {
  const params = new URLSearchParams(location.search);
  if (params.has('error')) {
    // The reason is the provider's; the person is told in their language, and the address is cleaned.
    history.replaceState(null, '', location.pathname + location.hash);
    sessionStorage.clear();
    throw new SignInRefused(params.get('error') ?? 'error');
  }
  const returning = params.has('code');
  if (!returning && !sessionStorage.getItem('SMART_KEY')) return undefined;
  const client = await FHIR.oauth2.ready();
  // Drop ?code&state from the address bar: a reload must not replay them.
  if (returning) history.replaceState(null, '', location.pathname + location.hash);
  const fhirUser = client.getFhirUser() ?? '';
  return { client, fhirUser: shortRef(fhirUser), base: client.state.serverUrl.replace(/\/$/, '') };
}

export function signOut(): void {
  sessionStorage.clear();
}

/** `http://…/fhir/Patient/p1` → `Patient/p1`. */
export function shortRef(ref: string): string {
  const m = /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]+)(?:\/_history\/[^/]+)?$/.exec(ref);
  return m ? m[1]! : ref;
}

export interface Answer<T> {
  body: T;
  etag?: string;
  status: number;
}

const KIND_BY_STATUS: Record<number, ProblemKind> = { 401: 'expired', 403: 'refused', 404: 'not-found', 409: 'conflict', 410: 'not-found', 412: 'conflict', 400: 'invalid', 422: 'invalid' };

/**
 * One FHIR call. `path` is relative to the base (`CarePlan?patient=…`) or
 * absolute (a Bundle's next link); the token goes only to samplan's own base.
 * `timeoutMs` for the rare call that computes rather than looks up (an
 * indicator over a year of a region's plans).
 */
export async function call<T>(s: Session, path: string, init: { method?: string; body?: unknown; ifMatch?: string; timeoutMs?: number } = {}): Promise<Answer<T>> {
  const url = path.startsWith('http') ? path : `${s.base}/${path}`;
  if (!url.startsWith(`${s.base}/`)) throw new FhirProblem('other', 0);
  const token = s.client.state.tokenResponse?.access_token;
  const expiresAt = s.client.state.expiresAt ?? 0;
  if (!token || (expiresAt > 0 && expiresAt < Date.now() / 1000)) throw new FhirProblem('expired', 401);
  const headers: Record<string, string> = { Accept: 'application/fhir+json', Authorization: `Bearer ${token}` };
  if (init.body !== undefined) headers['Content-Type'] = 'application/fhir+json';
  if (init.ifMatch) headers['If-Match'] = init.ifMatch;
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      signal: AbortSignal.timeout(init.timeoutMs ?? TIMEOUT_MS),
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch {
    throw new FhirProblem('offline', 0);
  }
  let json: unknown;
  try {
    const text = await res.text();
    json = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    // Not FHIR (a proxy's error page, a portal's login page): the service did not answer.
    throw new FhirProblem('other', res.status);
  }
  if (!res.ok) {
    const outcome = (json as fhir4.OperationOutcome | undefined)?.resourceType === 'OperationOutcome' ? (json as fhir4.OperationOutcome) : undefined;
    throw new FhirProblem(KIND_BY_STATUS[res.status] ?? 'other', res.status, outcome);
  }
  return { body: json as T, status: res.status, ...(res.headers.get('ETag') ? { etag: res.headers.get('ETag')! } : {}) };
}

/** The resources of a searchset (matches only; included resources are asked for separately). */
export function resourcesOf<T extends fhir4.FhirResource>(bundle: fhir4.Bundle, type: T['resourceType']): T[] {
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is T => r?.resourceType === type);
}
