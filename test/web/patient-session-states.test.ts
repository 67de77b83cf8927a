/**
 * Honest states of the patient's page: an expired sign-in (by the clock, and
 * a token the server refuses) says so and offers to sign in again; offline
 * says so and recovers; an unknown plan says it is not there.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.ts';
import { expectAccessible, launchBrowser, newPage, screenshot, settled, signIn, startWebServer, type Examples } from './support.ts';

let server: TestServer;
let examples: Examples;
let browser: Browser;

beforeAll(async () => {
  ({ server, examples } = await startWebServer());
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Changes fhirclient's stored state (sessionStorage: SMART_KEY names the entry holding the token). */
async function tamper(page: Page, change: 'expire' | 'forge'): Promise<void> {
  await page.evaluate(`(() => {
    const key = JSON.parse(sessionStorage.getItem('SMART_KEY'));
    const state = JSON.parse(sessionStorage.getItem(key));
    if (${JSON.stringify(change)} === 'expire') state.expiresAt = Math.floor(Date.now() / 1000) - 60;
    else state.tokenResponse.access_token = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.';
    sessionStorage.setItem(key, JSON.stringify(state));
  })()`);
}

describe('the states of the patient page', () => {
  for (const change of ['expire', 'forge'] as const) {
    it(`a sign-in that ${change === 'expire' ? 'has expired' : 'the server refuses'} is said in words, and signing in again works`, async () => {
      const ex = examples.byFile.get('patientkontrakt-skane')!;
      const { context, page } = await newPage(browser);
      await signIn(page, server.url, `Patient/${ex.patient}`);
      await tamper(page, change);
      await page.reload();
      await page.locator('main h1').filter({ hasText: 'Du har loggats ut' }).waitFor();
      expect(await page.locator('main').textContent()).toContain('Din inloggning gäller inte längre');
      await expectAccessible(page, 'the expired sign-in');
      if (change === 'expire') await screenshot(page, 'app-expired-390');
      // The provider still has the person's session (single sign-on): back with a new token, without choosing again.
      await page.getByRole('button', { name: 'Logga in igen' }).click();
      await page.locator('main .cards h2 a').waitFor();
      await settled(page);
      expect(await page.locator('main h1').textContent()).toBe('Mina planer');
      await context.close();
    });
  }

  it('offline: the page says so, keeps what it showed, and recovers when the connection is back', async () => {
    const ex = examples.byFile.get('sip-ungdom')!;
    const { context, page } = await newPage(browser, { locale: 'en-GB' });
    await signIn(page, server.url, `Patient/${ex.patient}`);
    await context.setOffline(true);
    await page.locator('#offline').filter({ hasText: 'You are offline' }).waitFor();
    await page.locator('main .cards h2 a').click();
    await page.locator('main h1').filter({ hasText: 'No connection' }).waitFor();
    await expectAccessible(page, 'offline');
    await screenshot(page, 'app-offline-390');
    await context.setOffline(false);
    await page.locator('#offline').waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('#measures-h').waitFor();
    await context.close();
  });

  it('a plan that is not there (or not mine) is said to be not found', async () => {
    const ex = examples.byFile.get('sip-ungdom')!;
    const other = examples.byFile.get('patientkontrakt-skane')!;
    const { context, page } = await newPage(browser, { locale: 'en-GB' });
    await signIn(page, server.url, `Patient/${ex.patient}`);
    await page.goto(`${server.url}/app/#/plan/${other.plan}`);
    await page.locator('main h1').filter({ hasText: 'Plan not found' }).waitFor();
    await settled(page);
    expect(await page.locator('main').textContent()).not.toContain('Tyra');
    await expectAccessible(page, 'not found');
    await context.close();
  });
});
