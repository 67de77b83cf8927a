/** `/` sends a person to the right app, in their language, and passes axe-core; the pages carry their own CSP. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.ts';
import { expectAccessible, launchBrowser, newPage, screenshot, startWebServer } from './support.ts';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  ({ server } = await startWebServer());
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the start page', () => {
  it('links the patient page, in the browser\'s language', async () => {
    const { context, page } = await newPage(browser, { locale: 'nb-NO' });
    await page.goto(`${server.url}/`);
    await page.locator('main h1').waitFor();
    expect(await page.locator('main h1').textContent()).toBe('Velkommen til samplan');
    expect(await page.getByRole('link', { name: 'Min plan' }).getAttribute('href')).toBe('/app/');
    await expectAccessible(page, 'the start page');
    await screenshot(page, 'start');
    await page.getByRole('link', { name: 'Min plan' }).click();
    await page.waitForURL(`${server.url}/app/`);
    await context.close();
  });

  it('serves the pages with a policy that allows scripts and calls only from samplan itself', async () => {
    const res = await server.request('/app/', { auth: null });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await server.request(asset!, { auth: null });
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    // /app without the slash lands on the page; unknown paths stay 404 OperationOutcomes.
    expect((await server.request('/app', { auth: null, redirect: 'manual' })).status).toBe(301);
    const missing = await server.request('/no-such-page', { auth: null });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as fhir4.OperationOutcome).resourceType).toBe('OperationOutcome');
  });
});
