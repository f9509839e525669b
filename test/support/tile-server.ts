import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestListener } from '../../server/app.js';
import { openDatabase, type Database } from '../../server/db/pool.js';
import { TileService, type TileServiceOptions } from '../../server/services/tile-service.js';

/**
 * The real request listener (the public tile shortcut, then the app) with a started (cached,
 * listening) tile service, as `npm start` runs it.
 */
export interface TileTestServer {
  baseUrl: string;
  database: Database;
  tiles: TileService;
  close(): Promise<void>;
}

/**
 * Starts the app on 127.0.0.1 with its own connections to the database at `url`, so two of
 * these on one URL behave as two server processes sharing a database.
 */
export async function startTileServer(
  url: string,
  options: Partial<TileServiceOptions> = {},
): Promise<TileTestServer> {
  const database = await openDatabase(url);
  const tiles = await TileService.start(database, options);
  const server = http.createServer(createRequestListener({ database, tiles }));
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));

  const { port } = server.address() as AddressInfo;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await tiles.close();
    await database.close();
  };
  return { baseUrl: `http://127.0.0.1:${port}`, database, tiles, close };
}
