/**
 * Never lose an edit: two browser sessions edit the same plan. The second to
 * save gets the comparison (what the other changed, what I changed), keeps
 * its input, re-applies it onto the new version with one action, and both
 * changes are in the stored plan.
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP, expectAccessible, newPage, screenshot, settled, signIn, storedPlan, webSuite } from './support.ts';

const w = webSuite();

describe('two people edit the same plan', () => {
  it('the second save shows both changes, re-applies mine, and keeps both', async () => {
    const ex = w.examples.byFile.get('patientkontrakt-skane')!;
    const [anna, per] = ex.practitioners;
    const a = await newPage(w.browser, { viewport: DESKTOP });
    const b = await newPage(w.browser, { viewport: DESKTOP });
    for (const [s, who] of [[a, anna], [b, per]] as const) {
      await signIn(s.page, w.server.url, `Practitioner/${who}`, '/team/');
      await s.page.goto(`${w.server.url}/team/#/plan/${ex.plan}`);
      await s.page.locator('form.plan-form').waitFor();
      await settled(s.page);
    }
    // Anna rewords the home-care measure and saves first.
    await a.page.locator('fieldset.measure-edit[data-index="3"]').getByLabel('Vad som görs').fill('Hemtjänst hjälper med inköp och städning; dusch sköter hemsjukvården.');
    await a.page.getByRole('button', { name: 'Spara planen' }).click();
    await expect.poll(() => a.page.locator('main .notice').first().textContent()).toBe('Planen är sparad.');

    // Per, on the version he opened, moves the follow-up date and saves: 412, and the comparison.
    await b.page.getByLabel('Nästa uppföljning').fill('2026-12-20');
    await b.page.getByRole('button', { name: 'Spara planen' }).click();
    const compare = b.page.getByTestId('compare');
    await compare.waitFor();
    expect(await b.page.getByTestId('their-changes').innerText()).toContain('Ändrad insats: ”Hemtjänst hjälper med inköp, städning och dusch.” är nu ”Hemtjänst hjälper med inköp och städning; dusch sköter hemsjukvården.”');
    expect(await b.page.getByTestId('my-changes').innerText()).toContain('Uppföljningen är flyttad till 20 december 2026 (var 12 mars 2026)');
    expect(await compare.textContent()).toContain('Ni ändrade olika saker: båda ändringarna behålls.');
    // Only what each of us changed: nothing else of the plan is said to have changed.
    expect(await b.page.getByTestId('their-changes').locator('li').count()).toBe(1);
    expect(await b.page.getByTestId('my-changes').locator('li').count()).toBe(1);
    // My input is still in the form.
    expect(await b.page.getByLabel('Nästa uppföljning').inputValue()).toBe('2026-12-20');
    expect(await b.page.evaluate('document.activeElement.id')).toBe('compare-h');
    await expectAccessible(b.page, 'the comparison after a 412');
    await screenshot(b.page, 'team-compare');

    await compare.getByRole('button', { name: 'Lägg mina ändringar på den nya versionen' }).click();
    await expect.poll(() => b.page.locator('main .notice').first().textContent()).toBe('Dina ändringar är sparade ovanpå den nya versionen.');
    const stored = await storedPlan(w.server, ex.plan);
    expect(stored.activity![3]!.detail!.description).toBe('Hemtjänst hjälper med inköp och städning; dusch sköter hemsjukvården.');
    expect(stored.extension!.find((e) => e.url.endsWith('/samplan-next-review'))!.valueDate).toBe('2026-12-20');
    await a.context.close();
    await b.context.close();
  });

  it('where both changed the same field, mine replaces theirs only when I re-apply, and they are told how many', async () => {
    const ex = w.examples.byFile.get('utskrivning-oppfolging')!;
    const [first] = ex.practitioners;
    const a = await newPage(w.browser, { viewport: DESKTOP, locale: 'en-GB' });
    await signIn(a.page, w.server.url, `Practitioner/${first}`, '/team/');
    await a.page.goto(`${w.server.url}/team/#/plan/${ex.plan}`);
    await a.page.locator('form.plan-form').waitFor();
    await settled(a.page);
    // Someone else (an EHR) changes the title meanwhile.
    const plan = await storedPlan(w.server, ex.plan);
    plan.title = 'Oppfølging etter utskrivning – Ole P.';
    expect((await w.server.request(`/fhir/CarePlan/${ex.plan}`, { method: 'PUT', json: plan })).status).toBe(200);
    await a.page.getByLabel('Title').fill('Utskrivning og oppfølging – Ole Prøvesen');
    await a.page.getByRole('button', { name: 'Save the plan' }).click();
    await a.page.getByTestId('compare').waitFor();
    expect(await a.page.getByTestId('compare').textContent()).toContain('You both changed 1 element(s): your values replace theirs there.');
    await a.page.getByRole('button', { name: 'Re-apply my changes onto the new version' }).click();
    await expect.poll(() => a.page.locator('main .notice').first().textContent()).toBe('Your changes are saved on top of the new version.');
    expect((await storedPlan(w.server, ex.plan)).title).toBe('Utskrivning og oppfølging – Ole Prøvesen');
    await a.context.close();
  });
});
