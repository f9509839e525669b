// geoserver-node-client 1.4.6 ships no type declarations; these are the methods Simpul calls
// (server/geoserver/library-client.ts). Each returns nothing useful and throws on a non-2xx.
declare module 'geoserver-node-client' {
  export class GeoServerRestClient {
    constructor(url: string, user: string, password: string);
    namespaces: { create(prefix: string, uri: string): Promise<string> };
    datastores: {
      createPostgisStore(
        workspace: string,
        namespaceUri: string,
        dataStore: string,
        pgHost: string,
        pgPort: string,
        pgUser: string,
        pgPassword: string,
        pgSchema: string,
        pgDb: string,
        exposePk?: boolean,
      ): Promise<void>;
    };
    styles: {
      publish(workspace: string, name: string, sldBody: string): Promise<void>;
      delete(workspace: string, name: string, recurse?: boolean, purge?: boolean): Promise<void>;
    };
    layers: {
      deleteFeatureType(
        workspace: string,
        datastore: string,
        name: string,
        recurse: boolean,
      ): Promise<void>;
    };
  }

  export class GeoServerResponseError extends Error {
    geoServerOutput?: string;
  }
}
