/**
 * Assembles the HTTP service: Express middleware (security headers, CORS, request
 * ids, logging, rate limit), the public endpoints, /fhir, and the one error handler.
 */
import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Authenticator, CallContext } from './auth/index.ts';
import type { Config } from './config.ts';
import { FhirError } from './errors.ts';
import { capabilityStatement } from './fhir/interactions/capabilities.ts';
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
  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && /^[A-Za-z0-9\-_.]{1,64}$/.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    next();
  });
  app.use(
    pinoHttp({
      logger,
      genReqId: (_req, res) => String(res.locals.requestId ?? randomUUID()),
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
    }),
  );

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res, next) => {
    if (await deps.ready()) return void res.json({ status: 'ready' });
    next(new FhirError('unavailable', { diagnostics: 'The database is not reachable' }));
  });
  app.get('/.well-known/smart-configuration', (_req, res) => void res.json(deps.smartConfiguration));
  app.get('/fhir/metadata', (req, res) => {
    send(res, { status: 200, body: capabilityStatement(fhirBaseUrl(req, config.publicUrl), deps.services, { name: 'samplan', version: deps.version }) });
  });

  const limiter = config.rateLimitPerMinute > 0
    ? rateLimit({
        windowMs: 60_000,
        limit: config.rateLimitPerMinute,
        standardHeaders: 'draft-7',
        legacyHeaders: false,
        keyGenerator: (req: Request) => String(req.res?.locals.principalKey ?? ipKeyGenerator(req.ip ?? '')),
        handler: (_req, _res, next) => next(new FhirError('too-many-requests', { diagnostics: `More than ${config.rateLimitPerMinute} requests a minute; slow down` }, { 'Retry-After': '60' })),
      })
    : undefined;

  const context = async (req: Request, baseUrl: string): Promise<CallContext> => {
    const principal = await deps.authenticate(req.headers.authorization);
    const res = req.res as Response;
    res.locals.principalKey = `${principal.issuer ?? ''}|${principal.sub}`;
    if (limiter) await new Promise<void>((resolve, reject) => void limiter(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
    return {
      principal,
      requestId: String(res.locals.requestId),
      baseUrl,
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

