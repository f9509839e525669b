import { randomUUID } from 'node:crypto';
import express from 'express';
import { pinoHttp } from 'pino-http';
import type { AppContext } from './app-context.js';
import { sendProblem } from './http/problem.js';
import { log } from './log.js';
import { createRoutes } from './routes/index.js';
import { createCachedTileShortcut } from './routes/tiles.js';

/** Builds the Express app: request logging with ids, the routes, and the one error handler. */
export function createApp(context: AppContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');

  // Cached tiles answer before the per-request logger and the routes: the hot path.
  app.use(createCachedTileShortcut(context));
  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req, res) => {
        const id = randomUUID().slice(0, 8);
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  app.use(createRoutes(context));
  app.use(sendProblem);
  return app;
}
