/**
 * A sync conflict recorded on a plan (the samplan-sync-conflict extension, as
 * the sync writes it): the kept and the lost value side by side with both
 * authors and when; choosing one resolves it — the value written, the record
 * gone, the worklist's count back to zero.
 */
import { describe, expect, it } from 'vitest';
import { EXTENSION } from '../../src/validation/index.ts';
import { DESKTOP, expectAccessible, newPage, screenshot, settled, signIn, storedPlan, webSuite } from './support.ts';


const conflict = (id: string, element: string, kept: unknown, lost: unknown): fhir4.Extension => ({
  url: EXTENSION.syncConflict,
  extension: [
    { url: 'id', valueString: id },
    { url: 'element', valueString: element },
    { url: 'kept', valueString: JSON.stringify(kept) },
    { url: 'lost', valueString: JSON.stringify(lost) },
    { url: 'keptBy', valueString: 'Practitioner/kommun-ssk (instance kommun)' },
    { url: 'lostBy', valueString: 'Practitioner/vc-dsk (instance region)' },
    { url: 'detected', valueDateTime: '2026-12-01T09:30:00Z' },
  ],
});

const w = webSuite(async ({ server, examples }) => {
  const ex = examples.byFile.get('patientkontrakt-skane')!;
  const plan = await storedPlan(server, ex.plan);
  plan.activity![4]!.detail!.description = 'Fysioterapeut: balansträning i hemmet, sex veckor.';
  plan.extension = [...plan.extension!, conflict('c1', '/activity/4/detail/description', 'Fysioterapeut: balansträning i hemmet, sex veckor.', 'Fysioterapeut: balans- och styrketräning i hemmet under tio veckor.')];
  expect((await server.request(`/fhir/CarePlan/${ex.plan}`, { method: 'PUT', json: plan })).status).toBe(200);
});

describe('resolving a sync conflict', () => {
  it('shows both values with their authors, and taking the lost one writes it and clears the conflict', async () => {
    const ex = w.examples.byFile.get('patientkontrakt-skane')!;
    const { context, page } = await newPage(w.browser, { viewport: DESKTOP });
    await signIn(page, w.server.url, `Practitioner/${ex.practitioners[0]}`, '/team/');
    await page.locator('[data-group="conflicts"]').waitFor();
    expect(await page.getByTestId('count-conflicts').textContent()).toBe('(1)');
    await page.locator('[data-group="conflicts"] tbody a').click();
    await page.getByRole('link', { name: 'Konflikter' }).click();
    await page.getByTestId('conflict').waitFor();
    await settled(page);
    const text = (await page.getByTestId('conflict').innerText()).replace(/\s+/g, ' ');
    expect(text).toContain('Behållet värde Fysioterapeut: balansträning i hemmet, sex veckor. av Practitioner/kommun-ssk (instance kommun)');
    expect(text).toContain('Värde som inte behölls Fysioterapeut: balans- och styrketräning i hemmet under tio veckor. av Practitioner/vc-dsk (instance region)');
    expect(text).toContain('Upptäckt 1 december 2026 kl. 10:30');
    await expectAccessible(page, 'a sync conflict');
    await screenshot(page, 'team-sync-conflict');

    await page.getByLabel('Ta det andra värdet').check();
    await page.getByRole('button', { name: 'Lös konflikten' }).click();
    await expect.poll(() => page.locator('main .notice').first().textContent()).toBe('Konflikten är löst.');
    const stored = await storedPlan(w.server, ex.plan);
    expect(stored.activity![4]!.detail!.description).toBe('Fysioterapeut: balans- och styrketräning i hemmet under tio veckor.');
    expect(stored.extension!.some((e) => e.url === EXTENSION.syncConflict)).toBe(false);
    expect(await page.locator('main').textContent()).toContain('Inga olösta konflikter.');
    const left = (await (await w.server.request('/fhir/CarePlan?sync-conflict=true&_summary=count')).json()) as fhir4.Bundle;
    expect(left.total).toBe(0);
    await context.close();
  });

  it('a third value of one\'s own can be written instead', async () => {
    const ex = w.examples.byFile.get('sip-ungdom')!;
    const plan = await storedPlan(w.server, ex.plan);
    plan.extension = [...plan.extension!, conflict('c2', '/title', plan.title, 'SIP – Alex')];
    expect((await w.server.request(`/fhir/CarePlan/${ex.plan}`, { method: 'PUT', json: plan })).status).toBe(200);
    const { context, page } = await newPage(w.browser, { viewport: DESKTOP, locale: 'en-GB' });
    await signIn(page, w.server.url, `Practitioner/${ex.practitioners[0]}`, '/team/');
    await page.goto(`${w.server.url}/team/#/plan/${ex.plan}/conflicts`);
    await page.getByTestId('conflict').waitFor();
    await page.getByLabel('Write a value of my own').check();
    await page.getByLabel('My own value').fill('SIP – Alex Provsson, hösten 2026');
    await page.getByRole('button', { name: 'Resolve the conflict' }).click();
    await expect.poll(() => page.locator('main .notice').first().textContent()).toBe('The conflict is resolved.');
    expect((await storedPlan(w.server, ex.plan)).title).toBe('SIP – Alex Provsson, hösten 2026');
    await context.close();
  });
});
