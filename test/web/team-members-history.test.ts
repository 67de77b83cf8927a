/**
 * The team page (add and end participation, as the access rules allow) and
 * the history (each version as a readable difference from the one before).
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP, expectAccessible, newPage, screenshot, settled, signIn, storedPlan, webSuite } from './support.ts';

const w = webSuite();

describe('the team and the history', () => {
  it('the coordinator adds a colleague and ends a participation; a member may not, and is told so', async () => {
    const ex = w.examples.byFile.get('patientkontrakt-skane')!;
    const [anna, per, lena] = ex.practitioners;
    const { context, page } = await newPage(w.browser, { viewport: DESKTOP });
    await signIn(page, w.server.url, `Practitioner/${anna}`, '/team/');
    await page.goto(`${w.server.url}/team/#/plan/${ex.plan}/team`);
    await page.getByTestId('members').waitFor();
    await settled(page);
    await expectAccessible(page, 'the team');
    await screenshot(page, 'team-members');
    const before = await page.getByTestId('members').locator('tbody tr').count();
    await page.getByLabel('Vem', { exact: true }).selectOption(`Practitioner/${lena}`);
    await page.getByLabel('Roll', { exact: true }).selectOption('member');
    await page.getByRole('button', { name: 'Lägg till i teamet' }).click();
    await expect.poll(() => page.locator('main .notice').first().textContent()).toBe('Personen är tillagd i teamet.');
    expect(await page.getByTestId('members').locator('tbody tr').count()).toBe(before + 1);
    await page.getByRole('button', { name: 'Avsluta deltagandet för Per Provsson' }).click();
    await expect.poll(() => page.locator('main .notice').first().textContent()).toBe('Per Provsson är inte längre med i teamet från i dag.');
    const team = (await (await w.server.request(`/fhir/CareTeam/${ex.team}`)).json()) as fhir4.CareTeam;
    expect(team.participant!.find((p) => p.member?.reference === `Practitioner/${per}`)!.period?.end).toBeDefined();
    await context.close();

    // Lena is a member, not the coordinator: her change of someone else's entry is refused, in words.
    const l = await newPage(w.browser, { viewport: DESKTOP, locale: 'en-GB' });
    await signIn(l.page, w.server.url, `Practitioner/${lena}`, '/team/');
    await l.page.goto(`${w.server.url}/team/#/plan/${ex.plan}/team`);
    await l.page.getByTestId('members').waitFor();
    await l.page.getByRole('button', { name: 'End participation of Anna Exempel' }).click();
    const problem = l.page.locator('main .problem');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/^You are not allowed to do this\. .*coordinator/);
    await l.context.close();
  });

  it('the history shows each version as what changed, newest first', async () => {
    const ex = w.examples.byFile.get('individuell-plan-fact')!;
    const plan = await storedPlan(w.server, ex.plan);
    plan.extension = plan.extension!.map((e) => (e.url.endsWith('/samplan-next-review') ? { ...e, valueDate: '2026-12-28' } : e));
    plan.activity!.push({ detail: { status: 'not-started', description: 'Jobbspesialist fra NAV: samtale om arbeidstrening.', performer: plan.activity![0]!.detail!.performer!, scheduledString: 'Januar 2027' } });
    // Written by the practitioner themself, so the history can say who made the change.
    const author = `Practitioner/${ex.practitioners[0]}`;
    const asAuthor = await w.server.token({ kind: 'practitioner', fhirUser: author });
    expect((await w.server.request(`/fhir/CarePlan/${ex.plan}`, { method: 'PUT', json: plan, auth: asAuthor })).status).toBe(200);
    const name = ((await (await w.server.request(`/fhir/${author}`)).json()) as fhir4.Practitioner).name![0]!;
    const { context, page } = await newPage(w.browser, { viewport: DESKTOP, locale: 'nb-NO' });
    await signIn(page, w.server.url, `Practitioner/${ex.practitioners[0]}`, '/team/');
    await page.goto(`${w.server.url}/team/#/plan/${ex.plan}/history`);
    await page.getByTestId('history').waitFor();
    await settled(page);
    const versions = await page.getByTestId('history').locator('> li').allInnerTexts();
    expect(versions[0]).toContain('versjon 2');
    expect(versions[0]).toContain('Nytt tiltak: Jobbspesialist fra NAV: samtale om arbeidstrening.');
    expect(versions[0]).toContain('Evalueringen er flyttet til');
    expect(versions[0]).toContain(`Av ${[...(name.given ?? []), name.family].join(' ')}`);
    // The first version was loaded by the examples' system client: named as a connected system.
    expect(versions.at(-1)).toMatch(/Av et tilkoblet journalsystem \(.+\)/);
    expect(versions.at(-1)).toContain('Planen ble opprettet.');
    await expectAccessible(page, 'the history');
    await screenshot(page, 'team-history');
    await context.close();
  });
});
