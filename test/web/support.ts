/**
 * Browser tests of the web apps: real headless Chromium (Debian's `chromium`,
 * installed by .ci/run) driven by playwright-core, against a real samplan on
 * the embedded database with the development identity provider and the
 * example plans loaded. axe-core checks each page (WCAG 2.1 A/AA rules);
 * screenshots go to test-results/screenshots/.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { PROJECT_ROOT } from '../../src/store/embedded/binary.ts';
import type { Database } from '../../src/store/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const CANDIDATES = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((p): p is string => !!p);

export function chromiumPath(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error(`No Chromium found (looked at ${CANDIDATES.join(', ')}). Install Debian's chromium (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH.`);
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

export async function newPage(browser: Browser, opts: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: opts.locale ?? 'sv-SE', viewport: opts.viewport ?? PHONE, timezoneId: 'Europe/Stockholm' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return { context, page };
}

export interface Examples {
  /** By example file stem (e.g. `patientkontrakt-skane`): the stored ids. */
  byFile: Map<string, { plan: string; patient: string; kin: string; team: string; practitioners: string[] }>;
}

export interface WebServerOptions {
  /** Serve this database (e.g. one whose plan histories a test wrote at chosen times); default a fresh one. */
  db?: Database;
  /** Load fhir-examples/ as `npm start` does (default true). */
  examples?: boolean;
}

/** A samplan with the web apps and development sign-in, and the examples loaded as on `npm start`. */
export async function startWebServer(opts: WebServerOptions = {}): Promise<{ server: TestServer; examples: Examples }> {
  const server = await startTestServer({}, { devIdp: true, web: true, ...(opts.db ? { db: opts.db } : {}) });
  const byFile = new Map<string, { plan: string; patient: string; kin: string; team: string; practitioners: string[] }>();
  const dir = join(PROJECT_ROOT, 'fhir-examples');
  for (const file of opts.examples === false ? [] : readdirSync(dir).filter((f) => f.endsWith('.bundle.json')).sort()) {
    const bundle = JSON.parse(readFileSync(join(dir, file), 'utf8')) as fhir4.Bundle;
    const res = await server.request('/fhir', { method: 'POST', json: bundle });
    const body = (await res.json()) as fhir4.Bundle;
    expect(res.status, JSON.stringify(body).slice(0, 500)).toBe(200);
    const ids = (type: string): string[] => body.entry!.flatMap((e) => (e.resource?.resourceType === type ? [e.resource.id!] : []));
    byFile.set(file.replace('.bundle.json', ''), { plan: ids('CarePlan')[0]!, patient: ids('Patient')[0]!, kin: ids('RelatedPerson')[0]!, team: ids('CareTeam')[0]!, practitioners: ids('Practitioner') });
  }
  return { server, examples: { byFile } };
}

/** SMART standalone launch from the app's sign-in page, choosing `who` at the development provider. */
export async function signIn(page: Page, baseUrl: string, who: string, path = '/app/'): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.locator('main button.primary').click();
  await page.waitForURL(/\/dev-idp\/interaction\//);
  await page.locator(`input[name="fhirUser"][value="${who}"]`).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === path && !url.search.includes('code='));
  await page.locator('main h1').waitFor();
  await settled(page);
}

/** The stored plan, read as a system client. */
export async function storedPlan(server: TestServer, id: string): Promise<fhir4.CarePlan> {
  return (await (await server.request(`/fhir/CarePlan/${id}`)).json()) as fhir4.CarePlan;
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

/** axe-core on the page as it is now: WCAG 2.0/2.1 A and AA rules; no violations allowed. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  // Evaluated through the debugging protocol: the page's CSP (script-src 'self') stays as it is.
  const result = await page.evaluate(`(async () => { ${AXE}; return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }); })()`) as AxeResult;
  const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
  expect(found, `axe-core on ${what}`).toEqual([]);
}

const SHOTS = join(PROJECT_ROOT, 'test-results', 'screenshots');

/**
 * The page as it is, at phone (390×844) and desktop (1280×800) size: `<name>-390.png` and `<name>-1280.png`;
 * `fullPage: false` for just the first screen of a long page.
 */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const before = page.viewportSize();
  for (const [size, viewport] of [['390', PHONE], ['1280', DESKTOP]] as const) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: join(SHOTS, `${name}-${size}.png`), fullPage: opts.fullPage ?? true });
  }
  if (before) await page.setViewportSize(before);
}

/** Waits until the main region has finished loading (no aria-busy). */
export async function settled(page: Page): Promise<void> {
  await page.locator('main[aria-busy]').waitFor({ state: 'detached' });
}

export interface WebSuite {
  server: TestServer;
  examples: Examples;
  browser: Browser;
}

/**
 * A test file's web set-up: a samplan with the examples and a browser, made
 * before its tests and closed after; `seed` runs once the server is up.
 */
export function webSuite(seed?: (w: WebSuite) => Promise<void>, opts: (() => Promise<WebServerOptions>) | undefined = undefined): WebSuite {
  const w = {} as WebSuite;
  beforeAll(async () => {
    Object.assign(w, await startWebServer(await opts?.()));
    w.browser = await launchBrowser();
    await seed?.(w);
  }, 120_000);
  afterAll(async () => {
    await w.browser?.close();
    await w.server?.close();
  });
  return w;
}
