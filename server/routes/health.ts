import { Router } from 'express';
import type { AppContext } from '../app-context.js';

/** `/health`: 200 when the database answers, 503 when it does not. */
export function createHealthRouter(context: AppContext): Router {
  const router = Router();
  const { pool, capabilities } = context.database;

  router.get('/health', async (req, res) => {
    const started = Date.now();
    try {
      await pool.query('SELECT 1');
      res.json({
        status: 'ok',
        database: 'ok',
        databaseMs: Date.now() - started,
        postgis: capabilities.postgisVersion,
        embedded: capabilities.embedded,
      });
    } catch (error) {
      req.log.error({ err: error }, 'health check failed');
      res
        .status(503)
        .type('application/problem+json')
        .json({
          type: '/problems/database-unavailable',
          title: 'Database unavailable',
          status: 503,
          detail: 'The database does not answer.',
          requestId: String(req.id),
        });
    }
  });

  return router;
}
