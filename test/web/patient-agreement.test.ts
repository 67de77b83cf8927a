/**
 * Agreement on the patient's page: agree; a practitioner changes a measure
 * over the API; the patient sees "changed since you agreed" with the change
 * named, and agrees again. Next of kin agree only with a stated reason, and a
 * refused agreement is said in words.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectAccessible, newPage, screenshot, settled, signIn, webSuite } from './support.ts';

const w = webSuite();

async function storedPlan(id: string): Promise<fhir4.CarePlan> {
  return (await (await w.server.request(`/fhir/CarePlan/${id}`)).json()) as fhir4.CarePlan;
}

const agreementOf = (p: fhir4.CarePlan): Record<string, unknown> => {
  const ext = p.extension?.find((e) => e.url.endsWith('/samplan-agreement'));
  return Object.fromEntries((ext?.extension ?? []).map((e) => [e.url, e.valueCode ?? e.valueReference?.reference ?? e.valueDateTime]));
};

async function openPlan(page: Page, id: string): Promise<void> {
  await page.goto(`${w.server.url}/app/#/plan/${id}`);
  await page.locator('#agreement-h').waitFor();
  await settled(page);
}

describe('agreeing to my plan', () => {
  it('the patient agrees, sees what a practitioner changed since, and agrees again', async () => {
    const ex = w.examples.byFile.get('patientkontrakt-skane')!;
    const { context, page } = await newPage(w.browser);
    await signIn(page, w.server.url, `Patient/${ex.patient}`);
    await openPlan(page, ex.plan);
    const state = page.getByTestId('agreement-state');
    expect(await state.textContent()).toContain('Du har inte godkänt den här planen ännu');
    await page.getByRole('button', { name: 'Jag godkänner planen' }).click();
    await expect.poll(() => page.locator('main .notice').first().textContent()).toBe('Ditt godkännande är sparat.');
    // The agreement names the version agreed to; recording it on the plan makes the next version.
    const agreed = Number((await storedPlan(ex.plan)).meta!.versionId) - 1;
    expect(await state.textContent()).toContain(`Du godkände planen som den är nu`);
    expect(await state.textContent()).toContain(`(version ${agreed})`);
    expect(agreementOf(await storedPlan(ex.plan))).toMatchObject({ status: 'current', agreedBy: `Patient/${ex.patient}`, agreedVersion: `CarePlan/${ex.plan}/_history/${agreed}` });

    // The coordinator (Anna Exempel) makes the nurse's calls weekly, adds a measure and moves the follow-up, over the API.
    const anna = await w.server.token({ kind: 'practitioner', fhirUser: `Practitioner/${ex.practitioners[0]}`, scope: 'user/*.cruds' });
    const plan = await storedPlan(ex.plan);
    plan.activity![1]!.detail!.scheduledTiming = { repeat: { frequency: 1, period: 1, periodUnit: 'wk' } };
    plan.activity!.push({ detail: { status: 'not-started', description: 'Dietist ger råd om salt och vätska, två besök.', performer: [{ reference: `Practitioner/${ex.practitioners[0]}`, display: 'Anna Exempel' }] } });
    plan.extension = plan.extension!.map((e) => (e.url.endsWith('/samplan-next-review') ? { ...e, valueDate: '2026-04-02' } : e));
    const put = await w.server.request(`/fhir/CarePlan/${ex.plan}`, { method: 'PUT', json: plan, auth: anna, headers: { 'If-Match': `W/"${plan.meta!.versionId}"` } });
    expect(put.status, await put.clone().text()).toBe(200);

    await page.reload();
    await page.locator('#agreement-h').waitFor();
    await settled(page);
    expect(await state.textContent()).toContain('Planen har ändrats sedan du godkände den');
    const changes = page.getByTestId('changes');
    await changes.waitFor();
    const items = await changes.locator('li').allTextContents();
    expect(items).toContain('Ändrad insats: Distriktssköterskan ringer Tyra varannan vecka och stämmer av vikt, andfåddhet och blodsocker. (ändrat: när och hur ofta)');
    expect(items).toContain('Ny insats: Dietist ger råd om salt och vätska, två besök.');
    expect(items).toContain('Uppföljningen är flyttad till 2 april 2026 (var 12 mars 2026)');
    expect(items).toHaveLength(3);
    await expectAccessible(page, 'a plan changed since I agreed');
    await screenshot(page, 'app-plan-changed-since-agreed');

    await page.getByRole('button', { name: 'Jag godkänner planen' }).click();
    await expect.poll(() => page.locator('main .notice').first().textContent()).toBe('Ditt godkännande är sparat.');
    const again = await storedPlan(ex.plan);
    expect(agreementOf(again)).toMatchObject({ status: 'current', agreedVersion: `CarePlan/${ex.plan}/_history/${Number(again.meta!.versionId) - 1}` });
    expect(await state.textContent()).toContain('Du godkände planen som den är nu');
    await context.close();
  });

  it('next of kin must say why they agree on the patient\'s behalf, and then can', async () => {
    const ex = w.examples.byFile.get('individuell-plan-fact')!;
    const { context, page } = await newPage(w.browser, { locale: 'nb-NO' });
    await signIn(page, w.server.url, `RelatedPerson/${ex.kin}`);
    await openPlan(page, ex.plan);
    const before = (await storedPlan(ex.plan)).meta!.versionId;
    await page.getByRole('button', { name: 'Jeg godkjenner planen' }).click();
    await expect.poll(() => page.locator('.agree-form .problem').textContent()).toBe('Skriv hvorfor du godkjenner på hens vegne.');
    expect(await page.locator('#agree-reason').getAttribute('aria-invalid')).toBe('true');
    expect((await storedPlan(ex.plan)).meta!.versionId).toBe(before);
    await expectAccessible(page, 'the agreement form of next of kin, with its message');

    await page.getByLabel('Hvorfor godkjenner du på hens vegne?').fill('Han ba meg om det i dag, han er på jobb.');
    await page.getByRole('button', { name: 'Jeg godkjenner planen' }).click();
    await expect.poll(() => page.locator('main .notice').first().textContent()).toBe('Godkjenningen din er lagret.');
    expect(agreementOf(await storedPlan(ex.plan))).toMatchObject({ status: 'current', agreedBy: `RelatedPerson/${ex.kin}` });
    const provenance = (await (await w.server.request(`/fhir/Provenance?target=CarePlan/${ex.plan}`)).json()) as fhir4.Bundle;
    const reasons = (provenance.entry ?? []).map((e) => JSON.stringify((e.resource as fhir4.Provenance).reason ?? []));
    expect(reasons.join(' ')).toContain('Han ba meg om det i dag');
    await context.close();
  });

  it('a refused agreement is said in words, never as JSON', async () => {
    const ex = w.examples.byFile.get('sip-ungdom')!;
    const { context, page } = await newPage(w.browser, { locale: 'en-GB' });
    await signIn(page, w.server.url, `RelatedPerson/${ex.kin}`);
    await openPlan(page, ex.plan);
    // While the page is open, the team ends the relative's part in it.
    const team = (await (await w.server.request(`/fhir/CareTeam/${ex.team}`)).json()) as fhir4.CareTeam;
    team.participant = team.participant!.map((p) => (p.member?.reference === `RelatedPerson/${ex.kin}` ? { ...p, period: { start: '2025-01-01', end: '2025-12-31' } } : p));
    expect((await w.server.request(`/fhir/CareTeam/${ex.team}`, { method: 'PUT', json: team })).status).toBe(200);
    const before = (await storedPlan(ex.plan)).meta!.versionId;

    await page.getByLabel('Why do you agree on their behalf?').fill('She asked me to.');
    await page.getByRole('button', { name: 'I agree to the plan' }).click();
    const problem = page.locator('.agree-form .problem');
    await problem.waitFor();
    const text = (await problem.textContent()) ?? '';
    expect(text).toMatch(/^What you are looking for does not exist, or you have no access to it\./);
    expect(text).not.toMatch(/[{}]|resourceType|OperationOutcome/);
    expect(await problem.getAttribute('role')).toBe('alert');
    expect((await storedPlan(ex.plan)).meta!.versionId).toBe(before);
    await expectAccessible(page, 'a refused agreement');
    await context.close();
  });
});
