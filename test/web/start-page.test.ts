/** `/` sends a person to the right app, in their language, and passes axe-core; the pages carry their own CSP. */
import { describe, expect, it } from 'vitest';
import { expectAccessible, newPage, screenshot, startWebServer, webSuite } from './support.ts';

const w = webSuite();

describe('the start page', () => {
  it('links the patient page, in the browser\'s language', async () => {
    const { context, page } = await newPage(w.browser, { locale: 'nb-NO' });
    await page.goto(`${w.server.url}/`);
    await page.locator('main h1').waitFor();
    expect(await page.locator('main h1').textContent()).toBe('Velkommen til samplan');
    expect(await page.getByRole('link', { name: 'Min plan' }).getAttribute('href')).toBe('/app/');
    await expectAccessible(page, 'the start page');
    await screenshot(page, 'start');
    await page.getByRole('link', { name: 'Min plan' }).click();
    await page.waitForURL(`${w.server.url}/app/`);
    await context.close();
  });

  it('serves the pages with a policy that allows scripts and calls only from samplan itself', async () => {
    const res = await w.server.request('/app/', { auth: null });
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
    const js = await w.server.request(asset!, { auth: null });
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    // /app without the slash lands on the page; unknown paths stay 404 OperationOutcomes.
    expect((await w.server.request('/app', { auth: null, redirect: 'manual' })).status).toBe(301);
    const missing = await w.server.request('/no-such-page', { auth: null });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as fhir4.OperationOutcome).resourceType).toBe('OperationOutcome');
  });
});
