import { Router } from 'express';
import type { AppContext } from '../app-context.js';
import { databaseUnavailable } from '../http/problem.js';

/**
 * `/health`: 200 when the database answers, 503 when it does not. The answer carries the tile
 * counters of the process that gave it (rendered, shared renderings, cache hits and misses):
 * the tiles answered before Express are not logged one line each, and these stand for them.
 */
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
        ...(context.tiles ? { tiles: { pid: process.pid, ...context.tiles.stats() } } : {}),
      });
    } catch (error) {
      req.log.error({ err: error }, 'health check failed');
      // whatever failed, the database did not answer the simplest query
      throw databaseUnavailable();
    }
  });

  return router;
}
