/**
 * The one module that calls GeoServer's REST API directly, for what geoserver-node-client 1.4.6
 * cannot be trusted with:
 * - its `get…` methods return `undefined` on any error once `/about/version` answers, so a 500
 *   or a timeout reads as "not found" and a plan would re-create what exists;
 * - it sets no timeout on any request, so a GeoServer that accepts the connection and never
 *   answers hangs the command for ever;
 * - it has no method to update a style, a data store, a feature type's keywords or bounding
 *   boxes, and `layergroups.create` sends a broken body to a URL with a double slash.
 * Here a GET is three-valued: a body, `absent` (a 404 from a GeoServer whose REST root answered)
 * or an error; every request has a deadline; every error says what was asked and what came back.
 *
 * Requests go through node-fetch, the HTTP client geoserver-node-client itself uses, not
 * Node's own fetch: that one refuses the Fetch standard's "bad ports" (6000, 6665-6669, 10080
 * and others, meant to keep browsers off mail and IRC servers), so a GeoServer listening on
 * one could be written to by the library yet never read here. node-fetch connects to any port.
 */
import fetch, { type Response } from 'node-fetch';
import type { GeoServerConnection } from './settings.js';

/** GeoServer could not be reached or did not answer in time. */
export class GeoServerUnavailableError extends Error {}

/** GeoServer refused the credentials (401) or the user's rights (403). */
export class GeoServerAuthError extends Error {}

/** GeoServer answered, but not with what the call needed (a status or a body). */
export class GeoServerResponseError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** A GET that found nothing: a 404 from a REST root known to answer. */
export const absent = Symbol('absent');

/** A body to send: a JSON catalog object or an SLD document. */
export type RestBody = { json: unknown } | { sld: string };

export interface GeoServerRest {
  readonly restUrl: string;
  /** A JSON resource, `absent` on 404; anything else throws. */
  getJson(path: string): Promise<unknown | typeof absent>;
  /** A style body (`application/vnd.ogc.sld+xml`), `absent` on 404. */
  getSld(path: string): Promise<string | typeof absent>;
  /** POST, PUT or DELETE; any status other than 2xx throws. */
  send(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: RestBody): Promise<void>;
}

function describeNetworkFailure(error: unknown, timeoutMs: number): string {
  const name = (error as Error)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;

  // node-fetch's FetchError carries the system error's code itself.
  const code = (error as { code?: string })?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND') return 'host name not found';
  if (code === 'ECONNRESET') return 'connection reset';
  return (error as Error)?.message ?? String(error);
}

function contentTypeOf(body: RestBody | undefined): Record<string, string> {
  if (!body) return {};
  if ('sld' in body) return { 'Content-Type': 'application/vnd.ogc.sld+xml; charset=UTF-8' };
  return { 'Content-Type': 'application/json' };
}

function encodeBody(body: RestBody | undefined): string | undefined {
  if (!body) return undefined;
  return 'sld' in body ? body.sld : JSON.stringify(body.json);
}

/** Reads an unwanted body to its end, so the connection is free for the next request. */
async function discard(response: Response): Promise<void> {
  await response.arrayBuffer().catch(() => undefined);
}

async function readExcerpt(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** A REST client for one GeoServer; paths are relative to the REST root (`/workspaces/...`). */
export function createGeoServerRest(connection: GeoServerConnection): GeoServerRest {
  const { restUrl, timeoutMs } = connection;
  const credentials = Buffer.from(`${connection.user}:${connection.password}`).toString('base64');

  async function request(method: string, path: string, accept: string, body?: RestBody) {
    const url = restUrl + path;
    const headers = {
      Authorization: `Basic ${credentials}`,
      Accept: accept,
      ...contentTypeOf(body),
    };
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: encodeBody(body),
        // A redirect usually means a login page or a wrong REST root: report it, never follow.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason = describeNetworkFailure(error, timeoutMs);
      throw new GeoServerUnavailableError(`cannot reach GeoServer at ${url}: ${reason}`);
    }
    return checkStatus(response, method, url);
  }

  async function checkStatus(response: Response, method: string, url: string) {
    const { status } = response;
    if (status === 401 || status === 403) {
      await discard(response);
      const what = status === 401 ? 'refused the credentials' : 'refused the request';
      throw new GeoServerAuthError(
        `GeoServer ${what} (${status}) for ${method} ${url}: check GEOSERVER_USER and ` +
          'GEOSERVER_PASSWORD, and that the user has the ADMIN role',
      );
    }
    if (status >= 300 && status < 400) {
      await discard(response);
      const target = response.headers.get('location') ?? 'nowhere';
      throw new GeoServerResponseError(
        `GeoServer redirected ${method} ${url} to ${target}: is GEOSERVER_URL the REST root?`,
        status,
      );
    }
    return response;
  }

  async function failure(response: Response, method: string, path: string) {
    const excerpt = await readExcerpt(response);
    return new GeoServerResponseError(
      `GeoServer answered ${response.status} to ${method} ${path}${excerpt && `: ${excerpt}`}`,
      response.status,
    );
  }

  async function getJson(path: string) {
    const response = await request('GET', path, 'application/json');
    if (response.status === 404) return (await discard(response), absent);
    if (response.status !== 200) throw await failure(response, 'GET', path);

    const text = await response.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      const excerpt = text.replace(/\s+/g, ' ').slice(0, 120);
      throw new GeoServerResponseError(
        `GeoServer answered GET ${path} with something that is not JSON: ${excerpt}`,
        response.status,
      );
    }
  }

  async function getSld(path: string) {
    const response = await request('GET', path, 'application/vnd.ogc.sld+xml');
    if (response.status === 404) return (await discard(response), absent);
    if (response.status !== 200) throw await failure(response, 'GET', path);

    const text = await response.text();
    if (!text.includes('StyledLayerDescriptor')) {
      throw new GeoServerResponseError(`GeoServer answered GET ${path} without an SLD`, 200);
    }
    return text;
  }

  async function send(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: RestBody) {
    const response = await request(method, path, 'application/json', body);
    if (response.status < 200 || response.status >= 300) {
      throw await failure(response, method, path);
    }
    await discard(response);
  }

  return { restUrl, getJson, getSld, send };
}

/** A path segment, percent-encoded (names come from declarations, but trust nothing). */
export function segment(name: string): string {
  return encodeURIComponent(name);
}
