/**
 * The committee's indicators page (/team/indicators): plan histories written
 * at chosen months of the last year, whose figures are worked out by hand
 * below, shown month by month as a chart and a table; small cells masked as
 * "fewer than 5"; filters by organisation and kind; the CSV of the masked
 * figures; and a practitioner without an administrative role told in words
 * that the page is not theirs.
 *
 * The histories (M = this month; each written on day 10 of its month):
 *   M-3  SIP sip-1…12, performed by Hemtjänsten Testhamn; sip-1…7 name a
 *        reachable contact person and a coordinator, sip-8…12 do not.
 *   M-2  individuell plan ip-1…3, performed by Bydel Test (3: a small cell).
 *   M-1  patientkontrakt pk-1…6 at Vårdcentralen Norr, contact and coordinator;
 *        on day 12 sip-1 and sip-2 are completed.
 * Active plans by month: …0, M-3 12, M-2 15, M-1 19, M 19.
 * Contact and coordinator: M-3 7 of 12; M-2 7 of 15; M-1 and M 11 of 19.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODE_SYSTEM } from '../../src/validation/index.ts';
import { history, plan, type PlanShape } from '../measures/support.ts';
import { DESKTOP, expectAccessible, newPage, screenshot, settled, signIn, webSuite } from './support.ts';

/** The month `back` months before this one (`2026-09`), and a moment on its 10th (or `day`th). */
function month(back: number): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
  return d.toISOString().slice(0, 7);
}
const at = (back: number, day = 10): string => `${month(back)}-${String(day).padStart(2, '0')}T10:00:00Z`;

const HEMTJANST = 'Organization/hemtjanst-testhamn';
const VC = 'Organization/vc-norr';
const BYDEL = 'Organization/bydel-test';

const NAMES: Record<string, string> = { [HEMTJANST]: 'Hemtjänsten Testhamn', [VC]: 'Vårdcentralen Norr', [BYDEL]: 'Bydel Test', 'Organization/kommun-testhamn': 'Testhamns kommun', 'Organization/region-testland': 'Region Testland' };

/** A plan as the care team names its organisations (the report takes their names from the plans). */
function named(id: string, shape: PlanShape): fhir4.CarePlan & { id: string } {
  const p = plan(id, shape);
  for (const a of p.activity ?? []) {
    for (const who of a.detail?.performer ?? []) if (who.reference && NAMES[who.reference]) who.display = NAMES[who.reference];
    for (const x of a.detail?.extension ?? []) if (x.valueReference?.reference && NAMES[x.valueReference.reference]) x.valueReference.display = NAMES[x.valueReference.reference];
  }
  return p;
}

const person = (id: string, name: string): fhir4.Practitioner & { id: string } => ({ resourceType: 'Practitioner', id, name: [{ text: name }] });
const role = (id: string, practitioner: string, name: string, code: string): fhir4.PractitionerRole & { id: string } => ({
  resourceType: 'PractitionerRole',
  id,
  active: true,
  practitioner: { reference: `Practitioner/${practitioner}`, display: name },
  organization: { reference: 'Organization/region-testland', display: 'Region Testland' },
  code: [{ coding: [{ system: CODE_SYSTEM.directoryRole, code }] }],
});

const w = webSuite(
  async ({ server }) => {
    await server.seed(person('agnes', 'Agnes Admin'));
    await server.seed(role('agnes-admin', 'agnes', 'Agnes Admin', 'administrator'));
    await server.seed(person('nils', 'Nils Nurse'));
    await server.seed(role('nils-member', 'nils', 'Nils Nurse', 'member'));
  },
  async () => {
    const h = await history();
    const write = (id: string, when: string, shape: PlanShape): Promise<void> => h.write(when, named(id, shape));
    for (let i = 1; i <= 12; i++) {
      const named = i <= 7;
      await write(`sip-${i}`, at(3), { kind: 'sip', performer: HEMTJANST, principal: 'Organization/kommun-testhamn', ...(named ? { contact: 'reachable', coordinator: true } : {}) });
    }
    for (let i = 1; i <= 3; i++) await write(`ip-${i}`, at(2), { kind: 'individuell-plan', performer: BYDEL, principal: BYDEL });
    for (let i = 1; i <= 6; i++) await write(`pk-${i}`, at(1), { kind: 'patientkontrakt', performer: VC, principal: 'Organization/region-testland', contact: 'reachable', coordinator: true });
    for (const id of ['sip-1', 'sip-2']) await write(id, at(1, 12), { status: 'completed', kind: 'sip', performer: HEMTJANST, principal: 'Organization/kommun-testhamn', contact: 'reachable', coordinator: true });
    // From here on the database's clock is today's: the page asks for the last 12 months up to now.
    h.setNow(new Date().toISOString());
    return { db: h.db, examples: false };
  },
);

const rowText = async (page: import('playwright-core').Page, table: string, back: number): Promise<string> =>
  (await page.getByTestId(`table-${table}`).locator(`tr[data-month="${month(back)}"]`).innerText()).replace(/\s+/g, ' ').trim();

describe('the indicators page', () => {
  it('an administrator sees each measure by month, chart and table, with small cells masked; filters narrow it; the CSV holds the masked figures', async () => {
    const { context, page } = await newPage(w.browser, { viewport: DESKTOP });
    await signIn(page, w.server.url, 'PractitionerRole/agnes-admin', '/team/');
    // From the worklist's link, in the hash route the address /team/indicators leads to.
    await page.getByRole('link', { name: 'Indikatorer' }).click();
    await page.getByTestId('table-active-plans').waitFor();
    await settled(page);
    expect(await page.locator('main h1').textContent()).toBe('Indikatorer för vårdsamverkan');
    expect(await page.locator('[data-measure="active-plans"] h2').textContent()).toBe('Aktiva samordnade planer');

    // Active plans: twelve months, each with its figure; the period's figure is its end.
    expect(await page.getByTestId('table-active-plans').locator('tbody tr').count()).toBe(12);
    expect(await rowText(page, 'active-plans', 4)).toMatch(/ 0$/);
    expect(await rowText(page, 'active-plans', 3)).toMatch(/ 12$/);
    expect(await rowText(page, 'active-plans', 2)).toMatch(/ 15$/);
    expect(await rowText(page, 'active-plans', 1)).toMatch(/ 19$/);
    expect((await page.getByTestId('table-active-plans').locator('tfoot tr').innerText()).replace(/\s+/g, ' ')).toBe('Vid periodens slut 19');
    expect(await page.getByTestId('chart-active-plans').locator('canvas').count()).toBe(1);
    expect(await page.getByTestId('chart-active-plans').getAttribute('aria-hidden')).toBe('true');

    // Contact person and coordinator: share, number, out of; 7 of 12 with 5 without is shown, as is 11 of 19.
    expect(await rowText(page, 'contact-and-coordinator', 3)).toMatch(/58,3\s%\s7 12$/);
    expect(await rowText(page, 'contact-and-coordinator', 1)).toMatch(/57,9\s%\s11 19$/);
    // Agreement current: none agreed, so 0 of each month: a zero is shown, not masked.
    expect(await rowText(page, 'agreement-current', 1)).toMatch(/0\s%\s0 19$/);
    // Follow-ups: no plan has a follow-up date; overdue now is 0.
    expect(await page.getByTestId('now-overdue-now').textContent()).toBe('0');
    await expectAccessible(page, 'the indicators page');
    await screenshot(page, 'team-indicators');
    await screenshot(page, 'team-indicators-top', { fullPage: false });

    // Only individuell plan: three plans, fewer than five, so every cell of the group is masked (zeros too: the total is hidden).
    await page.getByLabel('Typ av plan').selectOption('individuell-plan');
    await expect.poll(() => rowText(page, 'active-plans', 1)).toMatch(/färre än 5$/);
    expect(await rowText(page, 'active-plans', 5)).toMatch(/färre än 5$/);
    expect(await page.evaluate('document.activeElement.id')).toBe('indicator-kind');
    await page.getByLabel('Typ av plan').selectOption('');

    // One organisation (the report's reporter): Vårdcentralen Norr's six patientkontrakt, since M-1.
    await page.getByLabel('Organisation').selectOption(VC);
    await expect.poll(() => rowText(page, 'active-plans', 2)).toMatch(/ 0$/);
    expect(await rowText(page, 'active-plans', 1)).toMatch(/ 6$/);
    await page.getByLabel('Organisation').selectOption('');
    await expect.poll(() => rowText(page, 'active-plans', 1)).toMatch(/ 19$/);

    // The CSV: every cell, masked ones empty and marked, the strata too.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^samplan-indicators-\d{4}-\d{2}-01-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '').split('\r\n');
    expect(csv[0]).toBe('measure,group,period_start,period_end,stratifier,stratum,stratum_name,count,numerator,score,masked');
    const rows = csv.slice(1).map((l) => l.split(','));
    const find = (measure: string, stratifier: string, stratum: string): string[] | undefined => rows.find((r) => r[0] === measure && r[4] === stratifier && r[5] === stratum);
    expect(find('active-plans', '', '')?.slice(7)).toEqual(['19', '', '19', 'no']);
    expect(find('active-plans', 'month', month(3))?.slice(7)).toEqual(['12', '', '12', 'no']);
    // Three individuell plans: masked; the next smallest kind (six patientkontrakt) too, or 19 − 10 − 6 would give it away.
    expect(find('active-plans', 'kind', 'individuell-plan')?.slice(7)).toEqual(['', '', '', 'yes']);
    expect(find('active-plans', 'kind', 'patientkontrakt')?.slice(7)).toEqual(['', '', '', 'yes']);
    expect(find('active-plans', 'kind', 'sip')?.slice(7)).toEqual(['10', '', '10', 'no']);
    expect(find('active-plans', 'organization', HEMTJANST)?.[6]).toBe('Hemtjänsten Testhamn');
    expect(find('contact-person', 'month', month(1))?.slice(7)).toEqual(['19', '11', '0.5789', 'no']);
    // No patient in the file: it holds counts.
    expect(csv.join('\n')).not.toMatch(/Patient\//);
    await context.close();
  });

  it('/team/indicators leads to the page, in English too', async () => {
    const { context, page } = await newPage(w.browser, { viewport: DESKTOP, locale: 'en-GB' });
    await signIn(page, w.server.url, 'PractitionerRole/agnes-admin', '/team/');
    await page.goto(`${w.server.url}/team/indicators`);
    await page.getByTestId('table-active-plans').waitFor();
    expect(new URL(page.url()).hash).toBe('#/indicators');
    expect(await page.locator('main h1').textContent()).toBe('Indicators for the health community');
    expect(await rowText(page, 'contact-and-coordinator', 3)).toMatch(/58\.3%\s7 12$/);
    await expectAccessible(page, 'the indicators page in English');
    await context.close();
  });

  it('a practitioner without an administrative role is told the page is for administrators, and sees no figure', async () => {
    const { context, page } = await newPage(w.browser, { viewport: DESKTOP, locale: 'nb-NO' });
    await signIn(page, w.server.url, 'PractitionerRole/nils-member', '/team/');
    await page.goto(`${w.server.url}/team/#/indicators`);
    await page.getByTestId('indicators-refused').waitFor();
    expect(await page.locator('main h1').textContent()).toBe('Indikatorene er for administratorer');
    expect(await page.locator('main table').count()).toBe(0);
    await expectAccessible(page, 'the indicators page refusing a member');
    await context.close();
  });
});
