/**
 * The patient's page on a phone: how long the first view of a plan takes in
 * real headless Chromium, against `npm start` itself (the service on its
 * embedded database, development sign-in, the examples loaded), each figure
 * next to baselines measured in the same run:
 *
 *   api     the one FHIR search the page makes for a plan (plan, teams and
 *           goals by _include), fetched from Node with the same token;
 *   static  the same browser loading a static page of the same server.
 *
 * "First view": from the start of navigation to the plan's address until the
 * page has shown the plan (its `samplan:view` user timing, set when the view
 * is rendered). Cold is the first visit (empty
 * cache); warm the next ones (the hashed bundles cached). Measured without and
 * with 4× CPU slow-down (Chrome's throttling, a mid-range phone). Also the
 * bundle sizes, raw and gzipped.
 *
 * Run alone: `npx tsx bench/web-first-view.ts`; `npm run bench` runs it last
 * (BENCH_WEB=0 leaves it out). BENCH_WEB_N visits per setting (default 20).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { percentile } from './measure.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && statSync(p, { throwIfNoEntry: false }));

export interface Stats {
  p50: number;
  p95: number;
  max: number;
}
export interface WebFigures {
  cold: number;
  warm: Stats;
  warmSlowCpu: Stats;
  coldSlowCpu: number;
  api: Stats;
  static: Stats;
  bundle: { file: string; bytes: number; gzip: number }[];
}

const stats = (ms: number[]): Stats => {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: percentile(s, 0.5), p95: percentile(s, 0.95), max: s.at(-1) ?? NaN };
};

async function startSamplan(dataDir: string, port: number): Promise<() => Promise<void>> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { ...process.env, PORT: String(port), SAMPLAN_DATA_DIR: dataDir, LOG_LEVEL: 'info', SAMPLAN_RATE_LIMIT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('samplan listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`samplan exited (${code}) before listening:\n${out.slice(-2000)}`)));
  });
  child.stdout!.resume();
  return () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); });
}

/** Navigation start to the page's own mark that the view is on screen (the app's `samplan:view` user timing). */
async function firstView(page: Page, url: string): Promise<number> {
  await page.goto('about:blank');
  await page.goto(url);
  await page.locator('#measures-h').waitFor();
  const at = (await page.waitForFunction('performance.getEntriesByName("samplan:view")[0]?.startTime')).jsonValue();
  return Number(await at);
}

function bundleSizes(): WebFigures['bundle'] {
  const dir = join(ROOT, 'build/web/assets');
  return readdirSync(dir).filter((f) => /\.(js|css)$/.test(f)).map((file) => {
    const body = readFileSync(join(dir, file));
    return { file, bytes: body.length, gzip: gzipSync(body).length };
  });
}

export async function measureWebFirstView(n = Number(process.env.BENCH_WEB_N ?? 20)): Promise<WebFigures> {
  if (!CHROMIUM) throw new Error('No Chromium (apt-get install chromium, or set CHROMIUM_PATH)');
  const dataDir = mkdtempSync(join(tmpdir(), 'samplan-bench-web-'));
  // Run as root, the embedded PostgreSQL runs as the postgres user, which must be able to enter the folder.
  chmodSync(dataDir, 0o711);
  const port = 18_000 + Math.floor(Math.random() * 1000);
  // The development provider's clients are registered for http://localhost:PORT (SAMPLAN_PUBLIC_URL unset).
  const origin = `http://localhost:${port}`;
  const stop = await startSamplan(dataDir, port);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'sv-SE', isMobile: true, hasTouch: true });
    const page = await context.newPage();
    // Sign in as Tyra (the patientkontrakt example) through the development provider, as a person would.
    await page.goto(`${origin}/app/`);
    await page.locator('main button.primary').click();
    await page.waitForURL(/\/dev-idp\/interaction\//);
    await page.locator('label', { hasText: 'Tyra Testsson' }).locator('input').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    const link = page.locator('main .cards h2 a').first();
    await link.waitFor();
    const planUrl = `${origin}/app/${await link.getAttribute('href')}`;
    const planId = planUrl.split('/').pop()!;
    const token = (await page.evaluate('(() => { const k = JSON.parse(sessionStorage.getItem("SMART_KEY")); return JSON.parse(sessionStorage.getItem(k)).tokenResponse.access_token; })()')) as string;

    // Cold: a new tab in a new context has an empty cache, but needs the session: copy fhirclient's sessionStorage over.
    const session = (await page.evaluate('JSON.stringify(Object.entries(sessionStorage))')) as string;
    const coldVisit = async (slow: boolean): Promise<number> => {
      const c = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'sv-SE', isMobile: true, hasTouch: true });
      await c.addInitScript(`for (const [k, v] of ${session}) sessionStorage.setItem(k, v);`);
      const p = await c.newPage();
      if (slow) await (await c.newCDPSession(p)).send('Emulation.setCPUThrottlingRate', { rate: 4 });
      const ms = await firstView(p, planUrl);
      await c.close();
      return ms;
    };
    const cold = await coldVisit(false);
    const coldSlowCpu = await coldVisit(true);

    const warm: number[] = [];
    for (let i = 0; i < n; i++) warm.push(await firstView(page, planUrl));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    const warmSlowCpu: number[] = [];
    for (let i = 0; i < n; i++) warmSlowCpu.push(await firstView(page, planUrl));
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });

    const api: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const res = await fetch(`${origin}/fhir/CarePlan?_id=${planId}&_include=CarePlan:care-team&_include=CarePlan:goal`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/fhir+json' } });
      await res.text();
      if (!res.ok) throw new Error(`baseline search answered ${res.status}`);
      api.push(performance.now() - t0);
    }
    const staticPage: number[] = [];
    for (let i = 0; i < n; i++) {
      await page.goto('about:blank');
      await page.goto(`${origin}/healthz`);
      staticPage.push(Number(await page.evaluate('performance.getEntriesByType("navigation")[0].loadEventEnd')));
    }
    return { cold, coldSlowCpu, warm: stats(warm), warmSlowCpu: stats(warmSlowCpu), api: stats(api), static: stats(staticPage), bundle: bundleSizes() };
  } finally {
    await browser.close();
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function printWebFigures(f: WebFigures): void {
  const s = (x: Stats): string => `p50 ${x.p50.toFixed(0)}  p95 ${x.p95.toFixed(0)}  max ${x.max.toFixed(0)}`;
  console.log('\npatient page, first view of a plan (ms), 390×844 in headless Chromium, against npm start with the examples');
  console.log(`  cold (empty cache)            ${f.cold.toFixed(0)}   with 4× slower CPU ${f.coldSlowCpu.toFixed(0)}`);
  console.log(`  warm                          ${s(f.warm)}`);
  console.log(`  warm, 4× slower CPU           ${s(f.warmSlowCpu)}`);
  console.log(`  baseline: the page's FHIR search from Node   ${s(f.api)}`);
  console.log(`  baseline: a static page in the same browser  ${s(f.static)}`);
  const total = f.bundle.reduce((a, b) => ({ bytes: a.bytes + b.bytes, gzip: a.gzip + b.gzip }), { bytes: 0, gzip: 0 });
  console.log(`  bundle: ${f.bundle.map((b) => `${b.file} ${(b.bytes / 1024).toFixed(1)} KiB (${(b.gzip / 1024).toFixed(1)} gzip)`).join(', ')}; total ${(total.bytes / 1024).toFixed(1)} KiB, ${(total.gzip / 1024).toFixed(1)} KiB gzipped`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  printWebFigures(await measureWebFirstView());
}
