/**
 * Finding features by name or code through the feature API: a CQL2 JSON filter per layer, so
 * typed text travels as a value and never as filter syntax.
 */

/** A GeoJSON geometry in EPSG:4326. */
export interface FoundGeometry {
  type: string;
  coordinates?: unknown;
}

/** A feature found by name or code, with its geometry in EPSG:4326 to frame it on the map. */
export interface FoundFeature {
  id: number | string;
  properties: Record<string, unknown>;
  geometry: FoundGeometry | null;
}

/** The attributes a layer is searched by: its name (contains) and its codes (start with). */
export interface SearchedAttributes {
  name?: string;
  codes: string[];
}

/** Typed text as a LIKE pattern's literal part: `%`, `_` and `\` match themselves. */
function literalPattern(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function caseInsensitiveLike(attribute: string, pattern: string) {
  const property = { op: 'casei', args: [{ property: attribute }] };
  return { op: 'like', args: [property, { op: 'casei', args: [pattern] }] };
}

/**
 * The features of a layer whose name contains `text` or whose code starts with it, in any
 * case, at most `limit`; `signal` cancels a search overtaken by more typing.
 */
export async function searchLayer(
  layerId: string,
  attributes: SearchedAttributes,
  text: string,
  limit: number,
  signal?: AbortSignal,
): Promise<FoundFeature[]> {
  const literal = literalPattern(text);
  const conditions = [
    ...(attributes.name ? [caseInsensitiveLike(attributes.name, `%${literal}%`)] : []),
    ...attributes.codes.map((code) => caseInsensitiveLike(code, `${literal}%`)),
  ];
  const filter = conditions.length === 1 ? conditions[0] : { op: 'or', args: conditions };
  const properties = [...(attributes.name ? [attributes.name] : []), ...attributes.codes];
  const query = new URLSearchParams({
    filter: JSON.stringify(filter),
    'filter-lang': 'cql2-json',
    properties: properties.join(','),
    limit: String(limit),
  });

  const url = `/collections/${encodeURIComponent(layerId)}/items?${query}`;
  const response = await fetch(url, { headers: { Accept: 'application/geo+json' }, signal });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return ((await response.json()) as { features: FoundFeature[] }).features;
}

/**
 * A found feature as stored now, for an outline drawn from an older copy; null when it was
 * deleted (404). `signal` cancels a reading overtaken by a newer one.
 */
export async function fetchStoredFeature(
  layerId: string,
  featureId: number | string,
  signal?: AbortSignal,
): Promise<FoundFeature | null> {
  const url = `/collections/${encodeURIComponent(layerId)}/items/${encodeURIComponent(featureId)}`;
  // no-cache: the browser may keep the item, but must ask whether it changed
  const headers = { Accept: 'application/geo+json' };
  const response = await fetch(url, { headers, signal, cache: 'no-cache' });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as FoundFeature;
}
