/**
 * Assembles the HTTP service: Express middleware (security headers, CORS, request
 * ids, logging, rate limit), the public endpoints, /fhir, and the one error handler.
 */
import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Authenticator, CallContext } from './auth/index.ts';
import type { Config } from './config.ts';
import { FhirError } from './errors.ts';
import { Budget, Gate } from './limits.ts';
import { routePattern } from './route-pattern.ts';
import { capabilityStatement } from './fhir/interactions/capabilities.ts';
import { CONFORMANCE_TYPES, readConformance, searchConformance } from './fhir/interactions/conformance.ts';
import { fhirBaseUrl, fhirRouter, send } from './fhir/http.ts';
import { toFhirError } from './fhir/http-errors.ts';
import type { FhirServices } from './fhir/types.ts';
import { syncRouter } from './sync-http.ts';
import { syncControl, type SyncControl } from './sync/index.ts';

export interface AppDeps {
  config: Config;
  services: FhirServices;
  authenticate: Authenticator;
  smartConfiguration: object;
  ready(): Promise<boolean>;
  logger: Logger;
  version: string;
  /** The sync endpoints (/sync/…); absent: they answer that sync is not configured. */
  sync?: SyncControl;
  /**
   * The development identity provider (auth/dev-idp), mounted at `/dev-idp` only
   * when given; absent, its paths fall through to the 404 below like any unknown one.
   */
  devIdp?: { path: string; router: express.Router };
  /** Extra routers mounted after /fhir (web). */
  mounts?: { path: string; router: express.Router }[];
}

export function createApp(deps: AppDeps): express.Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  app.use(cors({ origin: config.corsOrigins.length > 0 ? config.corsOrigins : false, exposedHeaders: ['Location', 'ETag', 'Last-Modified', 'X-Request-Id'] }));
  // Our own id for every request: a client's X-Request-Id could carry anything (a personnummer) into the log.
  app.use((_req: Request, res: Response, next: NextFunction) => {
    const id = randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    next();
  });
  app.use(
    pinoHttp({
      logger,
      genReqId: (_req, res) => String(res.locals.requestId ?? randomUUID()),
      serializers: {
        // The route, not the path: ids in a path can be personal data (log.ts).
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, route: routePattern(req.url) }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
    }),
  );

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res, next) => {
    if (await deps.ready()) return void res.json({ status: 'ready' });
    next(new FhirError('unavailable', { diagnostics: 'The database is not reachable' }));
  });
  // SMART discovery is at the FHIR base (https://hl7.org/fhir/smart-app-launch/conformance.html#using-well-known),
  // which is where SMART clients such as fhirclient look; the root copy stays for clients that use the origin.
  app.get(['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration'], (_req, res) => void res.json(deps.smartConfiguration));
  if (deps.devIdp) app.use(deps.devIdp.path, deps.devIdp.router);
  // samplan's profiles, ValueSets, CodeSystems…: public and read-only, like the CapabilityStatement.
  app.get('/fhir/:type{/:id}', (req, res, next) => {
    const { type, id } = req.params as { type: string; id?: string };
    if (!CONFORMANCE_TYPES.has(type)) return next();
    try {
      const base = fhirBaseUrl(req, config.publicUrl);
      send(res, id === undefined ? searchConformance(type, [...new URLSearchParams(req.originalUrl.split('?')[1] ?? '')], base) : readConformance(type, id));
    } catch (err) {
      next(err);
    }
  });
  app.get('/fhir/metadata', (req, res) => {
    send(res, { status: 200, body: capabilityStatement(fhirBaseUrl(req, config.publicUrl), deps.services, { name: 'samplan', version: deps.version }) });
  });

  const budget = config.rateLimitPerMinute > 0 ? new Budget(config.rateLimitPerMinute) : undefined;
  const failures = config.authFailuresPerMinute > 0 ? new Budget(config.authFailuresPerMinute) : undefined;
  const gate = config.concurrencyPerPrincipal > 0 ? new Gate(config.concurrencyPerPrincipal, 64) : undefined;

  const authenticate = async (req: Request) => {
    try {
      return await deps.authenticate(req.headers.authorization);
    } catch (err) {
      // A token that was presented and refused: counted per address, and logged without the token.
      if (req.headers.authorization && err instanceof FhirError && err.kind === 'unauthenticated') {
        const address = req.ip ?? 'unknown';
        req.log?.warn({ address, route: routePattern(req.originalUrl), reason: err.message }, 'authentication failed');
        failures?.spend(address, 1, 'Failed sign-ins from this address');
      }
      throw err;
    }
  };

  const context = async (req: Request, baseUrl: string): Promise<CallContext> => {
    const principal = await authenticate(req);
    const res = req.res as Response;
    const key = `${principal.issuer ?? ''}|${principal.sub}`;
    budget?.spend(key, 1, 'Requests');
    if (gate) {
      const leave = await gate.enter(key);
      res.once('close', leave);
    }
    return {
      principal,
      requestId: String(res.locals.requestId),
      baseUrl,
      ...(budget ? { spend: (units: number) => budget.spend(key, units, 'Requests (each batch entry and search term counts)') } : {}),
      ...(req.ip ? { ip: req.ip } : {}),
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
    };
  };
  app.use('/fhir', fhirRouter(deps.services, { bodyLimit: config.bodyLimit, context, ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}) }));
  app.use('/sync', syncRouter(deps.sync ?? syncControl(undefined), (req) => context(req, fhirBaseUrl(req, config.publicUrl))));
  for (const m of deps.mounts ?? []) app.use(m.path, m.router);

  app.use((req: Request, _res: Response, next: NextFunction) => next(new FhirError('not-found', { diagnostics: `No such endpoint: ${req.method} ${req.path}` })));

  // The one error handler: every failure leaves as an OperationOutcome with the status its kind maps to.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const fhirError = toFhirError(err);
    if (!fhirError) req.log?.error({ err }, 'unexpected error');
    const e = fhirError ?? new FhirError('internal', { diagnostics: `Internal error (request id ${String(res.locals.requestId)})` });
    if (res.headersSent) return void res.end();
    send(res, { status: e.status, body: e.outcome, headers: e.headers });
  });
  return app;
}

