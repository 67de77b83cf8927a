/**
 * The Express shell of the sync endpoints (src/sync/control.ts does the work):
 * GET /sync/status, POST /sync/run, POST /sync/notify. Errors go to the one
 * error handler in app.ts like every other.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { CallContext } from './auth/index.ts';
import type { SyncControl } from './sync/index.ts';

export function syncRouter(control: SyncControl, context: (req: Request) => Promise<CallContext>): Router {
  const router = express.Router();
  // No body is read: a notification's payload (none, a resource or a Bundle) only says "pull now".
  const handle = (work: (ctx: CallContext) => Promise<unknown>) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.json((await work(await context(req))) ?? { status: 'accepted' });
    } catch (err) {
      next(err);
    }
  };
  router.get('/status', handle((ctx) => control.status(ctx)));
  router.post('/run', handle((ctx) => control.run(ctx)));
  router.post('/notify', handle((ctx) => control.notify(ctx)));
  return router;
}
