import { readCrsName, type CrsName } from '../crs-name.js';
import { badRequest } from './problem.js';

/**
 * A coordinate reference system a client may name in `crs`, `bbox-crs` or `filter-crs`
 * (OGC API Features Part 2). Layers are stored in EPSG:4326 with longitude first, which is CRS84.
 */
export interface CrsDefinition {
  uri: string;
  /** PostGIS SRID of the CRS. */
  srid: number;
  /** True when the CRS lists latitude (northing) before longitude, as EPSG:4326 does. */
  latitudeFirst: boolean;
  /** Decimal places of output coordinates: about 1 cm in degrees or in metres. */
  decimals: number;
  /**
   * Where coordinates of this CRS can be transformed without error, as
   * [minX, minY, maxX, maxY] with X the easting or longitude, whatever the axis order.
   */
  validArea: [number, number, number, number];
  title: string;
}

/** The default CRS of every request and response: WGS 84 longitude, latitude. */
export const crs84: CrsDefinition = {
  uri: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84',
  srid: 4326,
  latitudeFirst: false,
  decimals: 7,
  validArea: [-180, -90, 180, 90],
  title: 'WGS 84 longitude-latitude (CRS84)',
};

/** Every CRS the feature API speaks, CRS84 first. */
export const supportedCrs: readonly CrsDefinition[] = [
  crs84,
  {
    uri: 'http://www.opengis.net/def/crs/EPSG/0/4326',
    srid: 4326,
    latitudeFirst: true,
    decimals: 7,
    validArea: [-180, -90, 180, 90],
    title: 'WGS 84 latitude-longitude (EPSG:4326)',
  },
  {
    uri: 'http://www.opengis.net/def/crs/EPSG/0/3857',
    srid: 3857,
    latitudeFirst: false,
    decimals: 2,
    validArea: [-20037508.3428, -20048966.1, 20037508.3428, 20048966.1],
    title: 'WGS 84 / Pseudo-Mercator (EPSG:3857)',
  },
  {
    uri: 'http://www.opengis.net/def/crs/EPSG/0/32749',
    srid: 32749,
    latitudeFirst: false,
    decimals: 2,
    // Transverse Mercator diverges far from its central meridian (111° E): a wide band is
    // accepted, nonsense beyond it is refused before PostGIS sees it.
    validArea: [-1500000, -500000, 2500000, 10500000],
    title: 'WGS 84 / UTM zone 49S (EPSG:32749)',
  },
];

/** The URIs of every supported CRS, for collection documents and the OpenAPI document. */
export const supportedCrsUris = supportedCrs.map((crs) => crs.uri);

/** The served CRS a name identifies: EPSG:4326 is the latitude-first one, CRS84 the other. */
function servedCrsOf(name: CrsName): CrsDefinition | undefined {
  if (name.authority === 'OGC') return crs84;
  return supportedCrs.find((crs) => crs !== crs84 && crs.srid === name.code);
}

/**
 * A CRS named in any spelling `readCrsName` reads (a URI, a URN, `EPSG:n`, `[EPSG:n]`,
 * `CRS84`); anything else, or a CRS not served, is a 400 listing the supported URIs.
 */
export function parseCrs(text: string, parameter: string): CrsDefinition {
  const name = readCrsName(text);
  const crs = name && servedCrsOf(name);
  if (!crs) {
    throw badRequest(
      'unsupported-crs',
      `${parameter} must be one of ${supportedCrsUris.join(', ')}; got "${text}".`,
    );
  }
  return crs;
}

/** True when the position (easting first) lies where the CRS can be transformed. */
export function isInValidArea(crs: CrsDefinition, x: number, y: number): boolean {
  const [x0, y0, x1, y1] = crs.validArea;
  return x >= x0 && x <= x1 && y >= y0 && y <= y1;
}
