/**
 * A browser's part in the development provider's authorization-code + PKCE
 * flow, with fetch: follow redirects by hand, carry cookies, pick a person on
 * the sign-in page, and exchange the code with the verifier.
 */
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';

export interface FlowResult {
  tokens: { access_token: string; id_token?: string; token_type: string; scope?: string; patient?: string; expires_in: number };
  loginPage: string;
}

/** A cookie jar: name → value, whatever the path (the flow stays on one host). */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** The static clients' redirect URIs (auth/dev-idp/provider.ts). */
export const REDIRECT: Record<string, string> = { 'samplan-app': '/app/', 'samplan-team': '/team/' };

/** GET `start` and follow redirects until one leaves for `stopAt` (the app) or a page is served. */
async function follow(jar: Jar, start: string, stopAt: string, init: RequestInit = {}): Promise<Response> {
  let res = await fetch(start, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
  for (let hops = 0; hops < 10; hops++) {
    jar.take(res);
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) return res;
    const next = new URL(location, res.url || start).href;
    if (next.startsWith(stopAt)) return res;
    res = await fetch(next, { redirect: 'manual', headers: { cookie: jar.header() } });
  }
  throw new Error('too many redirects');
}

export async function signIn(issuer: string, origin: string, fhirBase: string, fhirUser: string, scope: string, clientId = 'samplan-app'): Promise<FlowResult> {
  const jar = new Jar();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(8).toString('hex');
  const redirectUri = `${origin}${REDIRECT[clientId] ?? '/app/'}`;
  const auth = new URL(`${issuer}/auth`);
  for (const [k, v] of Object.entries({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope, state, aud: fhirBase, code_challenge: challenge, code_challenge_method: 'S256' })) auth.searchParams.set(k, v);

  const page = await follow(jar, auth.href, redirectUri);
  expect(page.status).toBe(200);
  const loginPage = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(loginPage)?.[1];
  expect(action).toBeDefined();

  const done = await follow(jar, new URL(action!.replace(/&amp;/g, '&'), issuer).href, redirectUri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ fhirUser }).toString(),
  });
  const back = new URL(done.headers.get('location') ?? '', issuer);
  expect(back.href.startsWith(redirectUri), `redirected to ${back.href}`).toBe(true);
  expect(back.searchParams.get('state')).toBe(state);
  const code = back.searchParams.get('code');
  expect(code).toBeTruthy();

  const tokenRes = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: code!, redirect_uri: redirectUri, client_id: clientId, code_verifier: verifier }).toString(),
  });
  const text = await tokenRes.text();
  expect(tokenRes.status, text).toBe(200);
  return { tokens: JSON.parse(text) as FlowResult['tokens'], loginPage };
}
