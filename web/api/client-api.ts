import type { LayerDefinition, ThemeId } from '../../layers/types.js';

/** A theme as the layer tree shows it. */
export interface ThemeTitle {
  id: ThemeId;
  titleId: string;
  titleEn: string;
}

/** What the server tells the web client at start: the regency and the layers it may read. */
export interface ClientConfig {
  regency: {
    name: string;
    /** Extent to frame at start: [minLon, minLat, maxLon, maxLat] in EPSG:4326. */
    bbox: [number, number, number, number];
  };
  /** An XYZ tile URL template for a background map, or null for none. */
  basemapUrl: string | null;
  /** The data attribution line, plain text. */
  attribution: string;
  themes: ThemeTitle[];
  layers: LayerDefinition[];
}

/** One feature as the feature API returns it (GeoJSON; the geometry is not used here). */
export interface ApiFeature {
  id: string | number;
  properties: Record<string, unknown>;
}

/** A server answer other than 2xx, with the problem-details `detail` when one was sent. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    detail?: string,
    /** The problem's type without `/problems/` (`place-outside-regency`), when one was named. */
    readonly type?: string,
  ) {
    super(detail ?? `${url} answered ${status}`);
    this.name = 'ApiRequestError';
  }
}

/** The client configuration: regency, background map, attribution, themes and layers. */
export async function fetchClientConfig(): Promise<ClientConfig> {
  return fetchJson<ClientConfig>('/client/config', 'application/json');
}

/** One feature with all its attributes; `signal` cancels a request no longer wanted. */
export async function fetchFeature(
  layerId: string,
  featureId: string | number,
  signal?: AbortSignal,
): Promise<ApiFeature> {
  const path = `/collections/${encodeURIComponent(layerId)}/items/${encodeURIComponent(featureId)}`;
  return fetchJson<ApiFeature>(path, 'application/geo+json', signal);
}

/** The XYZ template of a layer's Mapbox Vector Tiles, in the form OpenLayers expects. */
export function tileUrlTemplate(layerId: string): string {
  return `/tiles/${encodeURIComponent(layerId)}/{z}/{x}/{y}.mvt`;
}

async function fetchJson<Body>(url: string, accept: string, signal?: AbortSignal) {
  const response = await fetch(url, { headers: { Accept: accept }, signal });

  if (!response.ok) {
    throw new ApiRequestError(response.status, url, await readProblemDetail(response));
  }
  return (await response.json()) as Body;
}

async function readProblemDetail(response: Response): Promise<string | undefined> {
  if (!response.headers.get('content-type')?.includes('json')) return undefined;

  const problem = (await response.json().catch(() => ({}))) as { detail?: unknown };
  return typeof problem.detail === 'string' ? problem.detail : undefined;
}
