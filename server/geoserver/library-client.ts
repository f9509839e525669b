import { GeoServerRestClient } from 'geoserver-node-client';
import { GeoServerResponseError, GeoServerUnavailableError } from './rest.js';
import type { DatastoreConnection, GeoServerConnection } from './settings.js';

/**
 * The writes geoserver-node-client does correctly: creating the workspace (through its
 * namespace, which carries the URI), the PostGIS data store and a style, and deleting feature
 * types and styles. Everything it gets wrong goes through `rest.ts` (see there why).
 */
export interface LibraryClient {
  createWorkspace(name: string, namespaceUri: string): Promise<void>;
  createPostgisStore(
    workspace: string,
    namespaceUri: string,
    name: string,
    db: DatastoreConnection,
  ): Promise<void>;
  createStyle(workspace: string, name: string, sld: string): Promise<void>;
  deleteFeatureType(workspace: string, datastore: string, name: string): Promise<void>;
  deleteStyle(workspace: string, name: string): Promise<void>;
}

/**
 * The library sets no timeout and takes no abort signal, so past the deadline we stop waiting
 * and report it; its socket stays open until GeoServer answers or the process ends (the CLI
 * exits, the server lets it drain). The verification after each step tells whether the write
 * landed anyway, and the next apply repeats it if not.
 */
async function withDeadline<Result>(what: string, timeoutMs: number, call: () => Promise<Result>) {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const reason = `no answer within ${timeoutMs} ms`;
      reject(new GeoServerUnavailableError(`GeoServer did not finish ${what}: ${reason}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      call().catch((error) => explainLibraryError(what, error)),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function explainLibraryError(what: string, error: unknown): never {
  const output = (error as { geoServerOutput?: unknown }).geoServerOutput;
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ENOTFOUND') {
    throw new GeoServerUnavailableError(`cannot reach GeoServer while ${what}: ${code}`);
  }
  const detail = typeof output === 'string' && output.trim() ? output : (error as Error).message;
  const excerpt = detail.replace(/\s+/g, ' ').trim().slice(0, 300);
  // The library hides the status code; 0 says "unknown" to the caller.
  throw new GeoServerResponseError(`GeoServer refused ${what}: ${excerpt}`, 0);
}

/** geoserver-node-client for one GeoServer, each call under the connection's deadline. */
export function createLibraryClient(connection: GeoServerConnection): LibraryClient {
  const client = new GeoServerRestClient(
    `${connection.restUrl}/`,
    connection.user,
    connection.password,
  );
  const { timeoutMs } = connection;

  return {
    createWorkspace: (name, namespaceUri) =>
      withDeadline(`creating workspace ${name}`, timeoutMs, async () => {
        await client.namespaces.create(name, namespaceUri);
      }),
    createPostgisStore: (workspace, namespaceUri, name, db) =>
      withDeadline(`creating data store ${name}`, timeoutMs, () =>
        client.datastores.createPostgisStore(
          workspace,
          namespaceUri,
          name,
          db.host,
          db.port,
          db.user,
          db.password,
          db.schema,
          db.database,
          true,
        ),
      ),
    createStyle: (workspace, name, sld) =>
      withDeadline(`creating style ${name}`, timeoutMs, () =>
        client.styles.publish(workspace, name, sld),
      ),
    deleteFeatureType: (workspace, datastore, name) =>
      withDeadline(`deleting feature type ${name}`, timeoutMs, () =>
        client.layers.deleteFeatureType(workspace, datastore, name, true),
      ),
    deleteStyle: (workspace, name) =>
      withDeadline(`deleting style ${name}`, timeoutMs, () =>
        client.styles.delete(workspace, name, true, true),
      ),
  };
}
