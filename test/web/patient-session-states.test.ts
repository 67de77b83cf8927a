/**
 * Honest states of the patient's page: an expired sign-in (by the clock, and
 * a token the server refuses) says so and offers to sign in again; offline
 * says so and recovers; an unknown plan says it is not there.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectAccessible, newPage, screenshot, settled, signIn, webSuite } from './support.ts';

const w = webSuite();

/** Through the development provider, as `who`, without waiting for a plan list. */
async function signInAs(page: Page, who: string): Promise<void> {
  await page.goto(`${w.server.url}/app/`);
  await page.locator('main button.primary').click();
  await page.waitForURL(/\/dev-idp\/interaction\//);
  await page.locator(`input[name="fhirUser"][value="${who}"]`).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
}

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
      const ex = w.examples.byFile.get('patientkontrakt-skane')!;
      const { context, page } = await newPage(w.browser);
      await signIn(page, w.server.url, `Patient/${ex.patient}`);
      await tamper(page, change);
      await page.reload();
      await page.locator('main h1').filter({ hasText: 'Du har loggats ut' }).waitFor();
      expect(await page.locator('main').textContent()).toContain('Din inloggning gäller inte längre');
      await expectAccessible(page, 'the expired sign-in');
      if (change === 'expire') await screenshot(page, 'app-expired');
      // The provider still has the person's session (single sign-on): back with a new token, without choosing again.
      await page.getByRole('button', { name: 'Logga in igen' }).click();
      await page.locator('main .cards h2 a').waitFor();
      await settled(page);
      expect(await page.locator('main h1').textContent()).toBe('Mina planer');
      await context.close();
    });
  }

  it('signing out forgets the session at once: the sign-in page, announced, and nothing of the plan', async () => {
    const ex = w.examples.byFile.get('patientkontrakt-skane')!;
    const { context, page } = await newPage(w.browser);
    await signIn(page, w.server.url, `Patient/${ex.patient}`);
    await page.goto(`${w.server.url}/app/#/plan/${ex.plan}`);
    await page.locator('#measures-h').waitFor();
    await page.getByRole('button', { name: 'Logga ut' }).click();
    await page.locator('main h1').filter({ hasText: 'Logga in för att se din plan' }).waitFor();
    expect(await page.locator('main .notice').textContent()).toBe('Du är utloggad.');
    expect(new URL(page.url()).hash).toBe('');
    // Nothing left that would sign in silently: no token in the tab, and the plan's text is gone.
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    expect(await page.locator('main').textContent()).not.toContain('Tyra');
    await page.reload();
    await page.locator('main h1').filter({ hasText: 'Logga in för att se din plan' }).waitFor();
    await expectAccessible(page, 'signed out');
    await context.close();
  });

  it('a sign-in the person cancelled (or the provider refused) is said, with a way to start again', async () => {
    const { context, page } = await newPage(w.browser, { locale: 'nb-NO' });
    await page.goto(`${w.server.url}/app/?error=access_denied&state=whatever`);
    await page.locator('main .notice').filter({ hasText: 'Innloggingen ble avbrutt eller avvist. Prøv igjen.' }).waitFor();
    expect(new URL(page.url()).search).toBe('');
    expect(await page.getByRole('button', { name: 'Logg inn' }).isVisible()).toBe(true);
    await expectAccessible(page, 'a refused sign-in');
    await context.close();
  });

  it('someone who is not a patient or next of kin is told the page is not for them', async () => {
    const ex = w.examples.byFile.get('patientkontrakt-skane')!;
    const { context, page } = await newPage(w.browser, { locale: 'en-GB' });
    await signInAs(page, `Practitioner/${ex.practitioners[0]}`);
    await page.locator('main h1').filter({ hasText: 'This page is for patients and next of kin' }).waitFor();
    await expectAccessible(page, 'not for me');
    await context.close();
  });

  it('a link to a plan survives signing in: the person lands on that plan', async () => {
    const ex = w.examples.byFile.get('individuell-plan-fact')!;
    const { context, page } = await newPage(w.browser, { locale: 'nb-NO' });
    await page.goto(`${w.server.url}/app/#/plan/${ex.plan}`);
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.waitForURL(/\/dev-idp\/interaction\//);
    await page.locator(`input[name="fhirUser"][value="Patient/${ex.patient}"]`).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#measures-h').waitFor();
    expect(new URL(page.url()).hash).toBe(`#/plan/${ex.plan}`);
    await context.close();
  });

  it('offline: the page says so, keeps what it showed, and recovers when the connection is back', async () => {
    const ex = w.examples.byFile.get('sip-ungdom')!;
    const { context, page } = await newPage(w.browser, { locale: 'en-GB' });
    await signIn(page, w.server.url, `Patient/${ex.patient}`);
    await context.setOffline(true);
    await page.locator('#offline').filter({ hasText: 'You are offline' }).waitFor();
    await page.locator('main .cards h2 a').click();
    await page.locator('main h1').filter({ hasText: 'No connection' }).waitFor();
    await expectAccessible(page, 'offline');
    await screenshot(page, 'app-offline');
    await context.setOffline(false);
    await page.locator('#offline').waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('#measures-h').waitFor();
    await context.close();
  });

  it('a plan that is not there (or not mine) is said to be not found', async () => {
    const ex = w.examples.byFile.get('sip-ungdom')!;
    const other = w.examples.byFile.get('patientkontrakt-skane')!;
    const { context, page } = await newPage(w.browser, { locale: 'en-GB' });
    await signIn(page, w.server.url, `Patient/${ex.patient}`);
    await page.goto(`${w.server.url}/app/#/plan/${other.plan}`);
    await page.locator('main h1').filter({ hasText: 'Plan not found' }).waitFor();
    await settled(page);
    expect(await page.locator('main').textContent()).not.toContain('Tyra');
    await expectAccessible(page, 'not found');
    await context.close();
  });
});
