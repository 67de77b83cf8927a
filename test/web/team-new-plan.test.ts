/** A new plan from each kind's template: it saves without errors as the kind's profile requires, and opens in the editor. */
import { describe, expect, it } from 'vitest';
import { DESKTOP, expectAccessible, newPage, screenshot, settled, signIn, storedPlan, webSuite } from './support.ts';

const w = webSuite();

const PROFILE: Record<string, string> = {
  sip: 'https://samplan.org/fhir/StructureDefinition/samplan-sip',
  patientkontrakt: 'https://samplan.org/fhir/StructureDefinition/samplan-patientkontrakt',
  'individuell-plan': 'https://samplan.org/fhir/StructureDefinition/samplan-individuell-plan',
};

describe('a new plan from a template', () => {
  for (const kind of ['sip', 'patientkontrakt', 'individuell-plan']) {
    it(`${kind}: created valid, opened in the editor, and saved again without errors`, async () => {
      const ex = w.examples.byFile.get('patientkontrakt-skane')!;
      const { context, page } = await newPage(w.browser, { viewport: DESKTOP });
      await signIn(page, w.server.url, `Practitioner/${ex.practitioners[0]}`, '/team/');
      await page.getByRole('link', { name: 'Ny plan' }).click();
      await page.locator('#new-team').waitFor();
      await settled(page);
      if (kind === 'sip') {
        await expectAccessible(page, 'the new-plan form');
        await screenshot(page, 'team-new-plan');
      }
      await page.locator(`#kind-${kind}`).check();
      await page.getByLabel('Telefon till kontaktpersonen (du)').fill('+46 411 00 00 11');
      if (kind === 'sip') await page.getByLabel('Den andra huvudmannen (för en SIP)').selectOption({ label: 'Testhamns kommun, vård och omsorg' });
      await page.getByRole('button', { name: 'Skapa planen' }).click();
      await page.waitForURL(/#\/plan\/[^/]+$/);
      await page.locator('form.plan-form').waitFor();
      await settled(page);
      const id = new URL(page.url()).hash.split('/')[2]!;
      const created = await storedPlan(w.server, id);
      expect(created.meta!.profile).toContain(PROFILE[kind]);
      expect(created.status).toBe('draft');
      expect(created.subject.reference).toBe(`Patient/${ex.patient}`);
      if (kind === 'sip') expect(created.contributor?.map((c) => c.display)).toContain('Testhamns kommun, vård och omsorg');
      await page.getByRole('button', { name: 'Spara planen' }).click();
      await expect.poll(() => page.locator('main .notice').first().textContent()).toBe('Planen är sparad.');
      expect(await page.getByTestId('field-error').count()).toBe(0);
      await context.close();
    });
  }
});
