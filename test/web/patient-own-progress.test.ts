/**
 * My own measures: the patient marks progress on a measure they perform
 * themself, with a note; the write is the one the access policy allows. A
 * care team's save in between is kept (the page puts the patient's change on
 * the new version). Measures of others have no form.
 */
import { describe, expect, it } from 'vitest';
import { expectAccessible, newPage, screenshot, settled, signIn, DESKTOP, webSuite } from './support.ts';

const w = webSuite();

async function storedPlan(id: string): Promise<fhir4.CarePlan> {
  return (await (await w.server.request(`/fhir/CarePlan/${id}`)).json()) as fhir4.CarePlan;
}

describe('progress on my own measures', () => {
  it('the patient marks a measure of theirs as in progress with a note, and the care team sees it', async () => {
    const ex = w.examples.byFile.get('patientkontrakt-skane')!;
    const { context, page } = await newPage(w.browser, { viewport: DESKTOP });
    await signIn(page, w.server.url, `Patient/${ex.patient}`);
    await page.goto(`${w.server.url}/app/#/plan/${ex.plan}`);
    await page.locator('#measures-h').waitFor();
    await settled(page);

    // Only the three measures Tyra performs herself (activities 5, 6, 7) have a form.
    expect(await page.locator('li.measure details.progress').count()).toBe(3);
    expect(await page.locator('li.measure[data-measure="0"] details.progress').count()).toBe(0);
    const measure = page.locator('li.measure[data-measure="5"]');
    await measure.getByText('Berätta hur det går').click();
    await measure.getByLabel('Hur långt har du kommit?').selectOption('in-progress');
    await measure.getByLabel('Kort anteckning (valfri)').fill('Vägt mig varje morgon i en vecka, 68 kg.');
    await expectAccessible(page, 'the progress form');
    await screenshot(page, 'app-own-progress');
    await measure.getByRole('button', { name: 'Spara' }).click();
    await expect.poll(() => page.locator('main .notice').first().textContent()).toBe('Sparat. Ditt vårdteam ser det nu.');

    const stored = await storedPlan(ex.plan);
    const a = stored.activity![5]!;
    expect(a.detail!.status).toBe('in-progress');
    expect(a.progress?.map((n) => n.text)).toEqual(['Vägt mig varje morgon i en vecka, 68 kg.']);
    expect(a.progress![0]!.authorReference?.reference).toBe(`Patient/${ex.patient}`);
    // The page shows it back.
    expect(await page.locator('li.measure[data-measure="5"] [data-testid="measure-status"]').textContent()).toBe('Pågår');
    expect(await page.locator('li.measure[data-measure="5"] .progress-notes').textContent()).toContain('68 kg');
    await context.close();
  });

  it('a care team save while the patient writes is kept: the patient\'s progress goes onto the new version', async () => {
    const ex = w.examples.byFile.get('utskrivning-oppfolging')!;
    const { context, page } = await newPage(w.browser, { locale: 'nb-NO' });
    await signIn(page, w.server.url, `Patient/${ex.patient}`);
    await page.goto(`${w.server.url}/app/#/plan/${ex.plan}`);
    await page.locator('#measures-h').waitFor();
    await settled(page);
    const own = page.locator('li.measure:has(details.progress)').first();
    const index = Number(await own.getAttribute('data-measure'));

    // Meanwhile the team moves the follow-up date.
    const plan = await storedPlan(ex.plan);
    plan.extension = plan.extension!.map((e) => (e.url.endsWith('/samplan-next-review') ? { ...e, valueDate: '2026-01-15' } : e));
    expect((await w.server.request(`/fhir/CarePlan/${ex.plan}`, { method: 'PUT', json: plan, headers: { 'If-Match': `W/"${plan.meta!.versionId}"` } })).status).toBe(200);

    await own.getByText('Fortell hvordan det går').click();
    await own.getByLabel('Hvor langt har du kommet?').selectOption('completed');
    await own.getByRole('button', { name: 'Lagre' }).click();
    await expect.poll(() => page.locator('main .notice').first().textContent()).toBe('Lagret. Teamet ditt ser det nå.');
    const stored = await storedPlan(ex.plan);
    expect(stored.activity![index]!.detail!.status).toBe('completed');
    expect(stored.extension!.find((e) => e.url.endsWith('/samplan-next-review'))!.valueDate).toBe('2026-01-15');
    expect(await page.getByTestId('next-review').textContent()).toBe('15. januar 2026');
    await context.close();
  });
});
