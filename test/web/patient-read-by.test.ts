/**
 * Who has read my plan: from the audit trail, in words (who, role,
 * organisation, when), newest first, my own visits left out. Next of kin are
 * told that only the patient sees it.
 */
import { describe, expect, it } from 'vitest';
import { expectAccessible, newPage, screenshot, settled, signIn, DESKTOP, PHONE, webSuite } from './support.ts';

const w = webSuite();

describe('who has read my plan', () => {
  it('lists the practitioners who read and changed it, in words, newest first, without my own visits', async () => {
    const ex = w.examples.byFile.get('patientkontrakt-skane')!;
    // The contact person reads the plan, then the GP reads and changes it.
    const [anna, per] = ex.practitioners;
    const annaToken = await w.server.token({ kind: 'practitioner', fhirUser: `Practitioner/${anna}`, scope: 'user/*.cruds' });
    const perToken = await w.server.token({ kind: 'practitioner', fhirUser: `Practitioner/${per}`, scope: 'user/*.cruds' });
    expect((await w.server.request(`/fhir/CarePlan/${ex.plan}`, { auth: annaToken })).status).toBe(200);
    const plan = (await (await w.server.request(`/fhir/CarePlan/${ex.plan}`, { auth: perToken })).json()) as fhir4.CarePlan;
    plan.description = `${plan.description} Läkemedelslistan är uppdaterad.`;
    expect((await w.server.request(`/fhir/CarePlan/${ex.plan}`, { method: 'PUT', json: plan, auth: perToken })).status).toBe(200);

    for (const [viewport, size] of [[PHONE, '390'], [DESKTOP, '1280']] as const) {
      const { context, page } = await newPage(w.browser, { viewport });
      await signIn(page, w.server.url, `Patient/${ex.patient}`);
      await page.goto(`${w.server.url}/app/#/plan/${ex.plan}`);
      await page.locator('#measures-h').waitFor();
      await page.getByRole('link', { name: 'Vem har läst min plan?' }).click();
      await page.getByTestId('read-by').waitFor();
      await settled(page);
      const items = (await page.getByTestId('read-by').locator('li').allInnerTexts()).map((s) => s.replace(/\s+/g, ' '));
      // Per changed it last (the read before his update is listed too), Anna read it before him.
      expect(items[0]).toMatch(/^Per Provsson, Fast läkarkontakt, Vårdcentralen Testhamn — ändrade planen/);
      expect(items.some((i) => /^Per Provsson, .* — läste planen/.test(i))).toBe(true);
      const annaAt = items.findIndex((i) => /^Anna Exempel, Fast vårdkontakt, Samordnar kontraktet, Vårdcentralen Testhamn — läste planen/.test(i));
      expect(annaAt).toBeGreaterThan(0);
      // Oldest: the EHR integration (a system client) that created the plan.
      expect(items.at(-1)).toMatch(/^Ett anslutet journalsystem \(.+\) — sparade planen från ett journalsystem/);
      expect(items.every((i) => / — .+ \d{1,2} \w+ \d{4} kl\. \d{2}:\d{2}$/.test(i))).toBe(true);
      expect(items.join(' ')).not.toContain('Tyra');
      await expectAccessible(page, 'who has read my plan');
      if (size === '390') await screenshot(page, 'app-read-by');
      await context.close();
    }
  });

  it('next of kin are told that only the patient sees who has read the plan', async () => {
    const ex = w.examples.byFile.get('sip-ungdom')!;
    const { context, page } = await newPage(w.browser, { locale: 'en-GB' });
    await signIn(page, w.server.url, `RelatedPerson/${ex.kin}`);
    await page.goto(`${w.server.url}/app/#/plan/${ex.plan}/read-by`);
    await page.locator('main h1').waitFor();
    await settled(page);
    expect(await page.locator('main').textContent()).toContain('Only the person the plan is about can see who has read it.');
    await context.close();
  });
});
