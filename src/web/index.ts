/**
 * The web apps (DESIGN.md "Web"): browser code in app/ and shared/, bundled by
 * vite (server/build.ts) and served as static files (server/serve.ts).
 */
export { ensureWebBuilt, WEB_SOURCE } from './server/build.ts';
export { webRouter } from './server/serve.ts';
