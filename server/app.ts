import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import express from 'express';
import { pinoHttp } from 'pino-http';
import type { AppContext } from './app-context.js';
import { config } from './config.js';
import { answerCors } from './http/cors.js';
import { acceptUtf8AsSent } from './http/negotiate.js';
import { sendProblem } from './http/problem.js';
import { log } from './log.js';
import { createRoutes } from './routes/index.js';
import { createPublicTileShortcut } from './routes/tiles.js';

/** Builds the Express app: request logging with ids, the routes, and the one error handler. */
export function createApp(context: AppContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustedProxies);
  app.set('query parser', 'simple');
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
  app.use(acceptUtf8AsSent);
  app.use(createRoutes(context));
  app.use(sendProblem);
  return app;
}

/**
 * What the HTTP server runs for each request: a tile of public layers is answered straight
 * from Node's request, before Express builds its request and response objects, runs the logger
 * and routes (the hot path of the platform, where that work cost several times a cached tile);
 * a tile that fails, and every other request, goes to the app. Every answer carries CORS
 * headers, and a CORS preflight is answered first (answerCors).
 */
export function createRequestListener(context: AppContext): RequestListener {
  const app = createApp(context);
  const publicTile = createPublicTileShortcut(context);
  return (req, res) => {
    if (answerCors(req, res)) return;
    publicTile(req, res, () => void app(req, res));
  };
}
