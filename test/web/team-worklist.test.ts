/**
 * The care team's worklist: an example practitioner sees, from seeded data,
 * an overdue follow-up and a stale agreement (plus drafts waiting for the
 * patient), with counts; filters narrow it; only plans of their teams.
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP, expectAccessible, newPage, screenshot, settled, signIn, storedPlan, webSuite } from './support.ts';

const w = webSuite(async ({ server, examples }) => {
  // Tyra agreed to her patientkontrakt; then the GP changed a measure: the agreement is stale.
  const ex = examples.byFile.get('patientkontrakt-skane')!;
  const patient = await server.token({ kind: 'patient', fhirUser: `Patient/${ex.patient}` });
  expect((await server.request(`/fhir/CarePlan/${ex.plan}/$agree`, { method: 'POST', auth: patient })).status).toBe(200);
  const plan = await storedPlan(server, ex.plan);
  plan.activity![0]!.detail!.description = 'Läkemedelsgenomgång hos fast läkarkontakt var tredje månad.';
  expect((await server.request(`/fhir/CarePlan/${ex.plan}`, { method: 'PUT', json: plan })).status).toBe(200);
});

describe('the worklist', () => {
  it('shows the overdue follow-up and the stale agreement of my plans, with counts, and no one else\'s plans', async () => {
    const ex = w.examples.byFile.get('patientkontrakt-skane')!;
    const { context, page } = await newPage(w.browser, { viewport: DESKTOP });
    await signIn(page, w.server.url, `Practitioner/${ex.practitioners[0]}`, '/team/');
    await page.locator('[data-group="overdue"]').waitFor();
    expect(await page.locator('main h1').textContent()).toBe('Arbetslista');
    // The follow-up of 12 March 2026 has passed (today is later): overdue.
    expect(await page.getByTestId('count-overdue').textContent()).toBe('(1)');
    const overdue = page.locator('[data-group="overdue"] tbody tr');
    expect(await overdue.count()).toBe(1);
    expect((await overdue.first().innerText()).replace(/\s+/g, ' ')).toContain('Patientkontrakt – Tyra Testsson Tyra Testsson Patientkontrakt Utkast, inte klar ännu 12 mars 2026 Inaktuellt godkännande');
    expect(await page.getByTestId('count-stale').textContent()).toBe('(1)');
    expect(await page.locator('[data-group="stale"] tbody tr a').textContent()).toBe('Patientkontrakt – Tyra Testsson');
    expect(await page.getByTestId('count-conflicts').textContent()).toBe('(0)');
    expect(await page.getByTestId('count-drafts').textContent()).toBe('(0)');
    // Other health communities' plans are not on Anna's list.
    expect(await page.locator('main').textContent()).not.toContain('Ole Prøvesen');
    await expectAccessible(page, 'the worklist');
    await screenshot(page, 'team-worklist');

    // Filtering by kind: no individuell plan of Anna's.
    await page.getByLabel('Typ av plan').selectOption('individuell-plan');
    await expect.poll(() => page.getByTestId('count-overdue').textContent()).toBe('(0)');
    expect(await page.evaluate('document.activeElement.id')).toBe('filter-kind');
    await page.getByLabel('Typ av plan').selectOption('patientkontrakt');
    await expect.poll(() => page.getByTestId('count-overdue').textContent()).toBe('(1)');
    await context.close();
  });

  it('a practitioner of another plan sees that plan\'s drafts waiting for the patient, in Norwegian', async () => {
    const ex = w.examples.byFile.get('utskrivning-oppfolging')!;
    const { context, page } = await newPage(w.browser, { viewport: DESKTOP, locale: 'nb-NO' });
    await signIn(page, w.server.url, `Practitioner/${ex.practitioners[0]}`, '/team/');
    await page.locator('[data-group="drafts"]').waitFor();
    await settled(page);
    expect(await page.locator('main h1').textContent()).toBe('Arbeidsliste');
    expect(await page.getByTestId('count-drafts').textContent()).toBe('(1)');
    expect(await page.locator('[data-group="drafts"] tbody tr a').textContent()).toBe('Oppfølging etter utskrivning – Ole Prøvesen');
    await expectAccessible(page, 'the worklist in Norwegian');
    await context.close();
  });

  it('a patient who opens the workspace is sent to their own page', async () => {
    const ex = w.examples.byFile.get('sip-ungdom')!;
    const { context, page } = await newPage(w.browser, { locale: 'en-GB' });
    await signIn(page, w.server.url, `Patient/${ex.patient}`, '/team/');
    expect(await page.locator('main h1').textContent()).toBe('This page is for care staff');
    await expectAccessible(page, 'the workspace refusing a patient');
    await context.close();
  });
});
