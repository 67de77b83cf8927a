/**
 * The patient's page: sign in (SMART standalone launch, code + PKCE, at the
 * development provider) as the patient of each example plan, and as next of
 * kin; see one's own plans and no one else's.
 */
import { describe, expect, it } from 'vitest';
import { expectAccessible, newPage, screenshot, signIn, DESKTOP, webSuite } from './support.ts';

const w = webSuite();

describe('signing in to Min plan', () => {
  it('shows a sign-in page that passes axe, in Swedish by default for a Swedish browser', async () => {
    const { context, page } = await newPage(w.browser);
    await page.goto(`${w.server.url}/app/`);
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Logga in för att se din plan');
    expect(await page.getAttribute('html', 'lang')).toBe('sv');
    await expectAccessible(page, 'the sign-in page');
    await screenshot(page, 'app-sign-in');
    await context.close();
  });

  for (const file of ['patientkontrakt-skane', 'sip-ungdom', 'individuell-plan-fact', 'utskrivning-oppfolging']) {
    it(`the patient of ${file} signs in and sees that plan, and only theirs`, async () => {
      const ex = w.examples.byFile.get(file)!;
      const { context, page } = await newPage(w.browser);
      await signIn(page, w.server.url, `Patient/${ex.patient}`);
      const links = page.locator('main .cards h2 a');
      await expect.poll(() => links.count()).toBe(1);
      expect(await links.first().getAttribute('href')).toBe(`#/plan/${ex.plan}`);
      await expectAccessible(page, `my plans (${file})`);
      await links.first().click();
      await page.locator('#measures-h').waitFor();
      expect(page.url()).toContain(`#/plan/${ex.plan}`);
      await expectAccessible(page, `the plan (${file})`);
      await context.close();
    });
  }

  it('next of kin sign in as their RelatedPerson and see the plan of the person they support', async () => {
    const ex = w.examples.byFile.get('patientkontrakt-skane')!;
    const { context, page } = await newPage(w.browser, { viewport: DESKTOP });
    await signIn(page, w.server.url, `RelatedPerson/${ex.kin}`);
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Planer för Tyra Testsson');
    await expect.poll(() => page.locator('main .cards h2 a').count()).toBe(1);
    expect(await page.locator('header .who').textContent()).toBe('Karin Testsson (närstående)');
    await expectAccessible(page, 'plans of the person I support');
    await screenshot(page, 'app-kin-plans');
    await context.close();
  });

  it('next of kin no longer on the team see no plan, and are told why', async () => {
    const ex = w.examples.byFile.get('sip-ungdom')!;
    // The coordinator's team drops the relative (a system client edits the team here).
    const team = (await (await w.server.request(`/fhir/CareTeam/${ex.team}`)).json()) as fhir4.CareTeam;
    team.participant = team.participant!.filter((p) => p.member?.reference !== `RelatedPerson/${ex.kin}`);
    expect((await w.server.request(`/fhir/CareTeam/${ex.team}`, { method: 'PUT', json: team })).status).toBe(200);
    const { context, page } = await newPage(w.browser);
    await signIn(page, w.server.url, `RelatedPerson/${ex.kin}`);
    await expect.poll(() => page.locator('main .empty').textContent()).toContain('Du ser ingen plan');
    await expectAccessible(page, 'no plan for next of kin');
    await context.close();
  });
});
