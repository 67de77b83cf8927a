/**
 * The Express side of the development provider: the sign-in interaction
 * (samplan's own pages) in front of oidc-provider's endpoints (`/auth`,
 * `/token`, `/jwks`, `/me`, `/.well-known/openid-configuration`, …).
 *
 * The interaction: oidc-provider sends the browser to
 * `/dev-idp/interaction/<uid>`. For the login prompt the page lists the
 * people in the database; the form posts the choice, which is checked
 * against the database, and the interaction finishes with that account.
 * oidc-provider then asks for consent in a second interaction, which is
 * granted at once for the scopes requested (development: the person at the
 * keyboard is the developer).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { FhirServices } from '../../fhir/types.ts';
import { isPerson, listPeople } from './directory.ts';
import { loginPage, messagePage } from './page.ts';

export interface RouterOptions {
  provider: Provider;
  services: FhirServices;
  fhirBase: string;
  /** The path the router is mounted at, e.g. `/dev-idp`. */
  mountPath: string;
}

/** The page's own policy: no script at all, inline styles, and the form posts only back here. */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function html(res: Response, status: number, body: string): void {
  res.status(status).setHeader('Content-Security-Policy', PAGE_CSP).setHeader('Cache-Control', 'no-store').type('html').send(body);
}

export function devIdpRouter(o: RouterOptions): express.Router {
  const router = express.Router();
  const { provider } = o;

  router.get('/interaction/:uid', async (req: Request, res: Response, next: NextFunction) => {
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== req.params['uid']) return html(res, 400, messagePage('Sign-in expired', 'This sign-in is not the one in progress; start again from the app.'));
      if (details.prompt.name === 'login') {
        const people = await listPeople(o.services, o.fhirBase);
        const scope = typeof details.params['scope'] === 'string' ? details.params['scope'] : '';
        const client = typeof details.params['client_id'] === 'string' ? details.params['client_id'] : '';
        return html(res, 200, loginPage({ action: `${o.mountPath}/interaction/${details.uid}/login`, client, scope, people }));
      }
      if (details.prompt.name === 'consent') return await consent(provider, req, res, details);
      return html(res, 400, messagePage('Cannot continue', `The sign-in asks for "${details.prompt.name}", which the development provider does not do.`));
    } catch (err) {
      next(err);
    }
  });

  router.post('/interaction/:uid/login', express.urlencoded({ extended: false, limit: '4kb' }), async (req: Request, res: Response, next: NextFunction) => {
    try {
      const details = await provider.interactionDetails(req, res);
      const chosen = (req.body as Record<string, unknown> | undefined)?.['fhirUser'];
      if (details.prompt.name !== 'login' || details.uid !== req.params['uid']) return html(res, 400, messagePage('Sign-in expired', 'Start again from the app.'));
      // The form's value is the caller's to choose: only a record that exists signs in.
      if (typeof chosen !== 'string' || !(await isPerson(o.services, o.fhirBase, chosen))) {
        return html(res, 400, messagePage('Choose someone', 'Go back and choose a person from the list.'));
      }
      await provider.interactionFinished(req, res, { login: { accountId: chosen } }, { mergeWithLastSubmission: false });
    } catch (err) {
      next(err);
    }
  });

  // Interaction errors (an expired or missing interaction cookie) are the browser's, shown as a page.
  router.use('/interaction', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof errors.OIDCProviderError) return html(res, err.statusCode, messagePage('Sign-in expired', 'This sign-in is no longer in progress; start again from the app.'));
    next(err);
  });

  router.use(provider.callback());
  return router;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/** Grant what the app asked for: the OpenID scopes and claims and the resource scopes oidc-provider reports missing. */
async function consent(provider: Provider, req: Request, res: Response, details: Details): Promise<void> {
  const accountId = details.session?.accountId;
  const clientId = typeof details.params['client_id'] === 'string' ? details.params['client_id'] : undefined;
  if (!accountId || !clientId) throw new errors.SessionNotFound('no signed-in session');
  const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId });
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}
