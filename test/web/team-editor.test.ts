/**
 * The plan editor: edit a measure and set the follow-up date; a refused
 * lifecycle transition shows the rule next to the status field; a field's
 * validation message next to that field; axe-core clean.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, expectAccessible, newPage, screenshot, settled, signIn, storedPlan, webSuite } from './support.ts';

const w = webSuite();

async function openEditor(page: Page, who: string, plan: string): Promise<void> {
  await signIn(page, w.server.url, who, '/team/');
  await page.goto(`${w.server.url}/team/#/plan/${plan}`);
  await page.locator('form.plan-form').waitFor();
  await settled(page);
}

describe('the plan editor', () => {
  it('edits a measure and sets the follow-up date; the stored plan has both', async () => {
    const ex = w.examples.byFile.get('patientkontrakt-skane')!;
    const { context, page } = await newPage(w.browser, { viewport: DESKTOP });
    await openEditor(page, `Practitioner/${ex.practitioners[0]}`, ex.plan);
    await expectAccessible(page, 'the plan editor');
    await screenshot(page, 'team-editor');
    const measure = page.locator('fieldset.measure-edit[data-index="3"]');
    await measure.getByLabel('Vad som görs').fill('Hemtjänst hjälper med inköp, städning, dusch och tvätt.');
    await measure.getByLabel('Antal gånger').fill('3');
    await page.getByLabel('Nästa uppföljning').fill('2026-12-15');
    await page.getByRole('button', { name: 'Spara planen' }).click();
    await expect.poll(() => page.locator('main .notice').first().textContent()).toBe('Planen är sparad.');
    const stored = await storedPlan(w.server, ex.plan);
    expect(stored.activity![3]!.detail!.description).toBe('Hemtjänst hjälper med inköp, städning, dusch och tvätt.');
    expect(stored.activity![3]!.detail!.scheduledTiming!.repeat).toEqual({ frequency: 3, period: 1, periodUnit: 'wk' });
    expect(stored.extension!.find((e) => e.url.endsWith('/samplan-next-review'))!.valueDate).toBe('2026-12-15');
    // Everything not on the form is as it was: the other measures, the principal, the goals.
    expect(stored.activity![0]!.detail!.extension).toEqual((await (await w.server.request(`/fhir/CarePlan/${ex.plan}/_history/1`)).json() as fhir4.CarePlan).activity![0]!.detail!.extension);
    expect(stored.goal).toHaveLength(3);
    // Saving changes nothing the form did not change: every other measure, the contacts, the period are as stored.
    const first = (await (await w.server.request(`/fhir/CarePlan/${ex.plan}/_history/1`)).json()) as fhir4.CarePlan;
    expect(stored.activity!.filter((_, i) => i !== 3)).toEqual(first.activity!.filter((_, i) => i !== 3));
    expect(stored.extension!.filter((e) => !e.url.endsWith('/samplan-next-review'))).toEqual(first.extension!.filter((e) => !e.url.endsWith('/samplan-next-review')));
    expect(stored.period).toEqual(first.period);
    await context.close();
  });

  it('offers only the transitions the lifecycle allows, and shows the rule when the agreement is missing', async () => {
    const ex = w.examples.byFile.get('sip-ungdom')!;
    const { context, page } = await newPage(w.browser, { viewport: DESKTOP, locale: 'en-GB' });
    await openEditor(page, `Practitioner/${ex.practitioners[0]}`, ex.plan);
    const status = page.getByLabel('Status', { exact: true });
    expect(await status.locator('option').allTextContents()).toEqual(['Draft, not final yet', 'In effect', 'Entered in error']);
    const before = (await storedPlan(w.server, ex.plan)).meta!.versionId;
    await status.selectOption('active');
    await page.getByRole('button', { name: 'Save the plan' }).click();
    const error = page.getByTestId('field-error').first();
    await error.waitFor();
    expect(await error.textContent()).toContain("An active plan carries the patient's agreement (recorded by $agree)");
    // Next to the status field, tied to it for screen readers, and focused.
    expect(await status.getAttribute('aria-invalid')).toBe('true');
    expect(await status.getAttribute('aria-describedby')).toBe(await error.getAttribute('id'));
    expect(await page.evaluate('document.activeElement.getAttribute("name")')).toBe('planStatus');
    expect((await storedPlan(w.server, ex.plan)).meta!.versionId).toBe(before);
    await expectAccessible(page, 'a refused transition');
    await screenshot(page, 'team-refused-transition');
    await context.close();
  });

  it('a field the profile requires, left empty, is named next to its field', async () => {
    const ex = w.examples.byFile.get('individuell-plan-fact')!;
    const { context, page } = await newPage(w.browser, { viewport: DESKTOP, locale: 'nb-NO' });
    await openEditor(page, `Practitioner/${ex.practitioners[0]}`, ex.plan);
    // An individuell plan must name its koordinator (spl-ip-2).
    await page.getByLabel('Koordinator for planen').selectOption('');
    const before = (await storedPlan(w.server, ex.plan)).meta!.versionId;
    await page.getByRole('button', { name: 'Lagre planen' }).click();
    await page.getByTestId('field-error').first().waitFor();
    expect(await page.getByLabel('Koordinator for planen').getAttribute('aria-invalid')).toBe('true');
    expect((await storedPlan(w.server, ex.plan)).meta!.versionId).toBe(before);
    await expectAccessible(page, 'a missing coordinator');
    await context.close();
  });
});
