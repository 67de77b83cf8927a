/**
 * Min plan in Swedish, Norwegian and English: chosen from the browser, with a
 * switch that sticks; dates by Intl in that language; axe-core clean on every
 * page in every language; screenshots at 390×844 and 1280×800 of each page.
 * The plan's own text stays as the care team wrote it.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import en from '../../src/web/shared/locales/en.json' with { type: 'json' };
import nb from '../../src/web/shared/locales/nb.json' with { type: 'json' };
import sv from '../../src/web/shared/locales/sv.json' with { type: 'json' };
import { DESKTOP, expectAccessible, newPage, PHONE, screenshot, settled, signIn, webSuite } from './support.ts';

const w = webSuite();

const LANGUAGES = [
  { lang: 'sv', browser: 'sv-SE', m: sv, review: '12 mars 2026' },
  { lang: 'nb', browser: 'nb-NO', m: nb, review: '12. mars 2026' },
  { lang: 'en', browser: 'en-GB', m: en, review: '12 March 2026' },
] as const;

async function visit(page: Page, hash: string, ready: string): Promise<void> {
  await page.goto(`${w.server.url}/app/${hash}`);
  await page.locator(ready).first().waitFor();
  await settled(page);
}

describe('Min plan in each language', () => {
  for (const { lang, browser: locale, m, review } of LANGUAGES) {
    it(`reads the plan in ${lang}, every page passes axe, at phone and desktop size`, async () => {
      const ex = w.examples.byFile.get('patientkontrakt-skane')!;
      for (const [viewport, size] of [[PHONE, '390'], [DESKTOP, '1280']] as const) {
        const { context, page } = await newPage(w.browser, { locale, viewport });
        await signIn(page, w.server.url, `Patient/${ex.patient}`);
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        expect(await page.locator('main h1').textContent()).toBe(m['plans.title']);
        await expectAccessible(page, `my plans (${lang}, ${size})`);
        if (size === '390') await screenshot(page, `app-plans-${lang}`);

        await visit(page, `#/plan/${ex.plan}`, '#measures-h');
        expect(await page.locator('#goals-h').textContent()).toBe(m['goals.title']);
        expect(await page.locator('#measures-h').textContent()).toBe(m['measures.title']);
        expect(await page.locator('#contacts-h').textContent()).toBe(m['contact.title']);
        expect(await page.locator('.group h3').first().textContent()).toBe(m['measures.self']);
        expect(await page.getByTestId('next-review').textContent()).toBe(review);
        // The care team's words are not translated.
        expect(await page.locator('.goal-text').first().textContent()).toBe('Jag vill bo kvar hemma och klara mig själv med lite hjälp.');
        await expectAccessible(page, `the plan (${lang}, ${size})`);
        if (size === '390') await screenshot(page, `app-plan-${lang}`);

        await visit(page, `#/plan/${ex.plan}/read-by`, 'main h1');
        expect(await page.locator('main h1').textContent()).toBe(m['readBy.title']);
        await expectAccessible(page, `who has read my plan (${lang}, ${size})`);
        if (size === '390') await screenshot(page, `app-read-by-${lang}`);

        await visit(page, `#/plan/${ex.plan}/print`, '[data-testid="contract"]');
        await expectAccessible(page, `the contract (${lang}, ${size})`);
        if (size === '390') await screenshot(page, `app-contract-${lang}`);
        await context.close();
      }
    });
  }

  it('the language switch changes every string and sticks across a reload', async () => {
    const ex = w.examples.byFile.get('sip-ungdom')!;
    const { context, page } = await newPage(w.browser, { locale: 'sv-SE' });
    await signIn(page, w.server.url, `Patient/${ex.patient}`);
    await visit(page, `#/plan/${ex.plan}`, '#measures-h');
    expect(await page.locator('#measures-h').textContent()).toBe(sv['measures.title']);
    await page.getByLabel('Språk').selectOption('en');
    await page.locator('#measures-h').filter({ hasText: en['measures.title'] }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.reload();
    await page.locator('#measures-h').waitFor();
    expect(await page.locator('#measures-h').textContent()).toBe(en['measures.title']);
    expect(await page.getByLabel('Language').inputValue()).toBe('en');
    await context.close();
  });

  it('works from the keyboard alone: skip link, sign-out, links and the agreement button take focus visibly', async () => {
    const ex = w.examples.byFile.get('utskrivning-oppfolging')!;
    const { context, page } = await newPage(w.browser, { locale: 'nb-NO' });
    await signIn(page, w.server.url, `Patient/${ex.patient}`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.className')).toBe('skip');
    await page.keyboard.press('Enter');
    // Tab on to the plan's link and open it with Enter.
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate('document.activeElement.getAttribute("href") || ""')) === `#/plan/${ex.plan}`) break;
    }
    expect(await page.evaluate('document.activeElement.getAttribute("href")')).toBe(`#/plan/${ex.plan}`);
    const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    await page.locator('#measures-h').waitFor();
    await settled(page);
    // The new view's heading has focus; the agreement button is reachable by Tab.
    expect(await page.evaluate('document.activeElement.tagName')).toBe('H1');
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate('document.activeElement.textContent')) === nb['agreement.agree']) break;
    }
    expect(await page.evaluate('document.activeElement.textContent')).toBe(nb['agreement.agree']);
    await context.close();
  });

  it('holds at 320 px wide and at 200 % zoom: no sideways scrolling', async () => {
    const ex = w.examples.byFile.get('individuell-plan-fact')!;
    for (const [viewport, zoom] of [[{ width: 320, height: 640 }, 1], [{ width: 640, height: 800 }, 2]] as const) {
      const { context, page } = await newPage(w.browser, { locale: 'nb-NO', viewport });
      await signIn(page, w.server.url, `Patient/${ex.patient}`);
      await visit(page, `#/plan/${ex.plan}`, '#measures-h');
      // 200 % zoom of a 640 px window lays out like a 320 px one: CSS zoom on the root is what the browser's zoom does to layout.
      if (zoom !== 1) await page.evaluate(`document.documentElement.style.zoom = '${zoom}'`);
      const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow, `${viewport.width}px at ${zoom * 100} %`).toBeLessThanOrEqual(0);
      await context.close();
    }
  });
});
