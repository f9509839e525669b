import { escapeHtml } from './html-page.js';

/** A feature drawn on the small map of the HTML pages: CRS84 GeoJSON geometry and a link. */
export interface MapFeature {
  geometry: unknown;
  href: string;
  label: string;
}

type Position = [number, number];

interface Frame {
  minLon: number;
  maxLat: number;
  scale: number;
  lonFactor: number;
  /** Pixels added left and top, so the features sit in the middle of the map. */
  offset: [number, number];
}

const size = { width: 640, height: 360, margin: 8 };

/** Every ring or line of a GeoJSON geometry, and whether it is a point. */
function* parts(geometry: unknown): Generator<{ positions: Position[]; kind: string }> {
  const g = geometry as { type?: string; coordinates?: unknown; geometries?: unknown[] } | null;
  if (!g || typeof g.type !== 'string') return;
  const c = g.coordinates as never;
  switch (g.type) {
    case 'Point':
      yield { positions: [c], kind: 'point' };
      break;
    case 'MultiPoint':
      for (const p of c as Position[]) yield { positions: [p], kind: 'point' };
      break;
    case 'LineString':
      yield { positions: c, kind: 'line' };
      break;
    case 'MultiLineString':
      for (const line of c as Position[][]) yield { positions: line, kind: 'line' };
      break;
    case 'Polygon':
      for (const ring of c as Position[][]) yield { positions: ring, kind: 'ring' };
      break;
    case 'MultiPolygon':
      for (const polygon of c as Position[][][])
        for (const ring of polygon) yield { positions: ring, kind: 'ring' };
      break;
    case 'GeometryCollection':
      for (const member of g.geometries ?? []) yield* parts(member);
      break;
  }
}

function frameOf(features: MapFeature[]): Frame | undefined {
  let [minLon, minLat, maxLon, maxLat] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const feature of features) {
    for (const { positions } of parts(feature.geometry)) {
      for (const [lon, lat] of positions) {
        minLon = Math.min(minLon, lon);
        maxLon = Math.max(maxLon, lon);
        minLat = Math.min(minLat, lat);
        maxLat = Math.max(maxLat, lat);
      }
    }
  }
  if (!Number.isFinite(minLon)) return undefined;

  // Equirectangular with the longitude scaled at the middle latitude: true enough at regency scale.
  const lonFactor = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxLon - minLon) * lonFactor, 1e-6);
  const spanY = Math.max(maxLat - minLat, 1e-6);
  const inner = [size.width - 2 * size.margin, size.height - 2 * size.margin];
  const scale = Math.min(inner[0]! / spanX, inner[1]! / spanY);
  const offset: [number, number] = [
    (inner[0]! - spanX * scale) / 2,
    (inner[1]! - spanY * scale) / 2,
  ];
  return { minLon, maxLat, scale, lonFactor, offset };
}

function project(frame: Frame, [lon, lat]: Position): Position {
  const x = size.margin + frame.offset[0] + (lon - frame.minLon) * frame.lonFactor * frame.scale;
  const y = size.margin + frame.offset[1] + (frame.maxLat - lat) * frame.scale;
  return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
}

/** Path data of a line or ring; vertices closer than half a pixel to the last are dropped. */
function pathData(frame: Frame, positions: Position[], close: boolean): string {
  const points: Position[] = [];
  for (const position of positions) {
    const p = project(frame, position);
    const last = points[points.length - 1];
    if (!last || Math.abs(p[0] - last[0]) + Math.abs(p[1] - last[1]) >= 0.5) points.push(p);
  }
  const body = points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x} ${y}`).join('');
  return close ? `${body}Z` : body;
}

function featureSvg(frame: Frame, feature: MapFeature): string {
  const shapes: string[] = [];
  let area = '';
  for (const { positions, kind } of parts(feature.geometry)) {
    if (kind === 'point') {
      const [x, y] = project(frame, positions[0]!);
      shapes.push(`<circle cx="${x}" cy="${y}" r="4"/>`);
    } else if (kind === 'ring') area += pathData(frame, positions, true);
    else shapes.push(`<path class="line" d="${pathData(frame, positions, false)}"/>`);
  }
  if (area) shapes.push(`<path d="${area}"/>`);
  const title = `<title>${escapeHtml(feature.label)}</title>`;
  return `<a href="${escapeHtml(feature.href)}">${title}${shapes.join('')}</a>`;
}

/**
 * A small map of the features as inline SVG: no script, no basemap, so it works offline and
 * in any browser. Each feature links to its own page.
 */
export function renderSvgMap(features: MapFeature[]): string {
  const frame = frameOf(features);
  if (!frame) return '';
  const body = features.map((f) => featureSvg(frame, f)).join('');
  return (
    `<svg class="map" viewBox="0 0 ${size.width} ${size.height}" role="img" ` +
    `aria-label="Peta fitur / Map of the features">${body}</svg>`
  );
}
