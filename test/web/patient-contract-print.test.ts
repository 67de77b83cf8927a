/**
 * The patient contract on paper: the print view holds the agreed measures,
 * who is responsible, the contacts, the follow-up date and the agreement; the
 * browser's print makes the PDF a patient takes home (here Chromium's
 * page.pdf, which prints with the print style sheet), and its text is read back.
 */
import { extractText } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { expectAccessible, newPage, screenshot, settled, signIn, DESKTOP, webSuite } from './support.ts';

const w = webSuite();

describe('the patient contract on paper', () => {
  it('prints the agreed version with responsibilities, contacts, follow-up and the agreement, to a PDF', async () => {
    const ex = w.examples.byFile.get('patientkontrakt-skane')!;
    const patient = await w.server.token({ kind: 'patient', fhirUser: `Patient/${ex.patient}` });
    const agree = await w.server.request(`/fhir/CarePlan/${ex.plan}/$agree`, { method: 'POST', auth: patient });
    expect(agree.status, await agree.clone().text()).toBe(200);
    const { context, page } = await newPage(w.browser, { viewport: DESKTOP });
    await signIn(page, w.server.url, `Patient/${ex.patient}`);
    await page.goto(`${w.server.url}/app/#/plan/${ex.plan}`);
    await page.locator('#measures-h').waitFor();
    await page.getByRole('link', { name: 'Skriv ut eller spara som PDF' }).click();
    await page.getByTestId('contract').waitFor();
    await settled(page);
    await expectAccessible(page, 'the contract to print');
    await screenshot(page, 'app-contract');

    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Skriv ut' }).isVisible()).toBe(false);
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const { text } = await extractText(new Uint8Array(pdf), { mergePages: true });
    const flat = text.replace(/\s+/g, ' ');
    for (const expected of [
      'Patientkontrakt – Tyra Testsson',
      'Planen gäller Tyra Testsson',
      'Nästa uppföljning 12 mars 2026',
      'Godkänd av Tyra Testsson den',
      'Jag vill bo kvar hemma och klara mig själv med lite hjälp.',
      'Det här gör jag själv',
      'Jag väger mig varje morgon',
      'Region Skåne',
      'Läkemedelsgenomgång hos fast läkarkontakt var sjätte månad',
      'Testhamns kommun, vård och omsorg',
      'Hemtjänst hjälper med inköp, städning och dusch.',
      '2 gånger i veckan',
      'Min fasta vårdkontakt Anna Exempel',
      '+46 411 00 00 11',
      'Vardagar 08.00–16.30',
    ]) {
      expect(flat, expected).toContain(expected);
    }
    // The page's controls are not on paper.
    expect(flat).not.toContain('Logga ut');
    expect(flat).not.toContain('Berätta hur det går');

    // The team rewords a measure after the agreement: the contract stays the version agreed to, and says so.
    const plan = (await (await w.server.request(`/fhir/CarePlan/${ex.plan}`)).json()) as fhir4.CarePlan;
    plan.activity![3]!.detail!.description = 'Hemtjänst hjälper med inköp och städning.';
    expect((await w.server.request(`/fhir/CarePlan/${ex.plan}`, { method: 'PUT', json: plan })).status).toBe(200);
    await page.emulateMedia({ media: 'screen' });
    await page.reload();
    await page.getByTestId('contract').waitFor();
    await settled(page);
    const contract = (await page.getByTestId('contract').innerText()).replace(/\s+/g, ' ');
    expect(contract).toContain('Hemtjänst hjälper med inköp, städning och dusch.');
    expect(contract).not.toContain('Hemtjänst hjälper med inköp och städning.');
    expect(contract).toContain('Planen har ändrats efter godkännandet. Det här är versionen som godkändes.');
    await context.close();
  });

  it('a plan never agreed to prints as it is, marked not yet agreed', async () => {
    const ex = w.examples.byFile.get('individuell-plan-fact')!;
    const { context, page } = await newPage(w.browser, { locale: 'nb-NO' });
    await signIn(page, w.server.url, `Patient/${ex.patient}`);
    await page.goto(`${w.server.url}/app/#/plan/${ex.plan}/print`);
    await page.getByTestId('contract').waitFor();
    await settled(page);
    expect(await page.getByTestId('contract').textContent()).toContain('Ikke godkjent ennå.');
    await expectAccessible(page, 'the contract of a plan not yet agreed');
    await context.close();
  });
});
