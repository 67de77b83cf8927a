/**
 * Serves the bundled web apps: `/` (which app is for whom), `/app/` (the
 * patient's page), `/team/` (the care team's workspace). Static files only: the apps talk to `/fhir` like any
 * SMART app, so there is nothing else on the server for them.
 *
 * The pages get their own Content-Security-Policy: scripts and styles only
 * from here, calls only to here (the FHIR API and the sign-in), nothing framed.
 * helmet's default would add upgrade-insecure-requests, which breaks a
 * development server on plain http://127.0.0.1.
 */
import express, { type NextFunction, type Request, type Response } from 'express';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

export function webRouter(dir: string): express.Router {
  const router = express.Router();
  router.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', CSP);
    next();
  });
  // The committee's address for the indicators: the workspace routes in the hash (src/web/team/main.ts).
  router.get('/team/indicators', (_req: Request, res: Response) => res.redirect(302, '/team/#/indicators'));
  router.use(
    express.static(dir, {
      index: 'index.html',
      redirect: true,
      dotfiles: 'ignore',
      setHeaders(res, path) {
        // Hashed bundles never change; the pages must be fetched fresh to name the newest bundles.
        res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  return router;
}
