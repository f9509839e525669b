import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inject } from 'vitest';
import { createRequestListener } from '../../server/app.js';
import type { AppContext } from '../../server/app-context.js';
import { createApiToken } from '../../server/services/account-service.js';
import { answerClientErrors } from '../../server/http/client-error.js';
import { continueWhenBodyRead } from '../../server/http/expect-continue.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/** A real Simpul HTTP server on a free loopback port over its own seeded test database. */
export interface TestServer {
  baseUrl: string;
  testDatabase: TestDatabase;
  close(): Promise<void>;
}

/** Starts the real request listener on 127.0.0.1, serving the web client built for this run. */
export async function startTestServer(
  options: Pick<AppContext, 'exportStallMs'> = {},
): Promise<TestServer> {
  const testDatabase = await createTestDatabase();
  const context = { database: testDatabase.database, webDistDir: inject('webDir'), ...options };
  const server = http.createServer(createRequestListener(context));
  answerClientErrors(server);
  continueWhenBodyRead(server);
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));

  const { port } = server.address() as AddressInfo;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await testDatabase.drop();
  };
  return { baseUrl: `http://127.0.0.1:${port}`, testDatabase, close };
}

/** The secret of a new API token of one role that may write, on the server's database. */
export async function writeToken(server: TestServer, role: string): Promise<string> {
  const pool = server.testDatabase.database.pool;
  return (await createApiToken(pool, { name: role, roles: [role], write: true }, 'test')).secret;
}

/** A layer as `/client/config` gives it to the web map (the parts the tests read). */
export interface ClientLayer {
  id: string;
  titleId: string;
  titleEn: string;
  zoom: { min: number; max: number };
  metadata: { sample: boolean };
}

/** The layers the web map is configured with on a running test server. */
export async function clientLayers(server: TestServer): Promise<ClientLayer[]> {
  const config = (await (await fetch(`${server.baseUrl}/client/config`)).json()) as {
    layers: ClientLayer[];
  };
  return config.layers;
}
