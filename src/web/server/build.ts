/**
 * Bundles the web apps with vite (DESIGN.md "Web"): at `npm start`, in the
 * test set-up, and by `npm run build:web`. Skipped when the bundle is newer
 * than every source file, so a restart costs nothing.
 *
 * fhirclient is built in its "pure" flavour (FHIRCLIENT_PURE): the browsers
 * we serve have fetch, AbortController and Web Crypto, so its polyfills are
 * dead code and drop out of the bundle.
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** src/web: the apps' sources. */
export const WEB_SOURCE = fileURLToPath(new URL('..', import.meta.url));
const STAMP = '.built';

function newest(dir: string): number {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'server') continue;
    const path = join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return max;
}

export interface BuildResult {
  outDir: string;
  built: boolean;
}

export async function ensureWebBuilt(outDir: string, opts: { force?: boolean } = {}): Promise<BuildResult> {
  const stamp = join(outDir, STAMP);
  if (!opts.force && existsSync(stamp) && statSync(stamp).mtimeMs >= newest(WEB_SOURCE)) return { outDir, built: false };
  // Loaded only when building: a server whose bundle is current never loads vite.
  const { build } = await import('vite');
  await build({
    root: WEB_SOURCE,
    base: '/',
    logLevel: 'warn',
    configFile: false,
    define: { FHIRCLIENT_PURE: 'true' },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: true,
      rollupOptions: { input: { start: join(WEB_SOURCE, 'index.html'), app: join(WEB_SOURCE, 'app/index.html') } },
    },
  });
  writeFileSync(stamp, new Date().toISOString());
  return { outDir, built: true };
}
