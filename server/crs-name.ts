/**
 * The one reader of coordinate reference system names, shared by the feature API (`crs`,
 * `bbox-crs`, `filter-crs`, `Content-Crs`), the legacy `crs` members of edits and places, and
 * imports and exports. What a name means for axis order is left to each caller: the API reads
 * EPSG:4326 latitude first, as its definition says; files and legacy `crs` members mean
 * longitude first by it, as GeoJSON 2008 and GIS tools do.
 */

/** What a CRS name identifies: OGC's CRS84 (WGS 84 longitude, latitude) or an EPSG code. */
export type CrsName = { authority: 'OGC'; code: 'CRS84' } | { authority: 'EPSG'; code: number };

// Case is ignored throughout: tools write `epsg:4326` and `urn:ogc:def:crs:epsg::4326` too.
const crs84Spellings = [
  /^(?:OGC:)?CRS84$/i,
  /^\[OGC:CRS84\]$/i,
  // the version may be left empty (`OGC::CRS84`), as older OGC documents wrote it
  /^urn:ogc:def:crs:OGC:[\d.]*:CRS84$/i,
  /^https?:\/\/www\.opengis\.net\/def\/crs\/OGC\/[\d.]+\/CRS84$/i,
];

const epsgSpellings = [
  // `EPSG::4326` and `EPSG:9.9:4326`, the code part of the URN, are met without its prefix
  /^(?:urn:ogc:def:crs:)?EPSG:{1,2}(?:[\d.]*:)?(\d{4,6})$/i,
  /^\[EPSG:(\d{4,6})\]$/i,
  /^https?:\/\/www\.opengis\.net\/def\/crs\/EPSG\/[\d.]+\/(\d{4,6})$/i,
];

/**
 * The CRS `text` names: CRS84 as `CRS84`, `OGC:CRS84`, `[OGC:CRS84]`, the URN
 * `urn:ogc:def:crs:OGC:1.3:CRS84` (or `OGC::CRS84`) or the URI
 * `http(s)://www.opengis.net/def/crs/OGC/1.3/CRS84`; an EPSG code as `EPSG:32749`,
 * `[EPSG:32749]`, `urn:ogc:def:crs:EPSG::32749` or
 * `http(s)://www.opengis.net/def/crs/EPSG/0/32749`. Surrounding spaces and letter case do not
 * matter; anything else is undefined.
 */
export function readCrsName(text: string): CrsName | undefined {
  const trimmed = text.trim();
  if (crs84Spellings.some((spelling) => spelling.test(trimmed))) {
    return { authority: 'OGC', code: 'CRS84' };
  }
  for (const spelling of epsgSpellings) {
    const match = spelling.exec(trimmed);
    if (match) return { authority: 'EPSG', code: Number(match[1]) };
  }
  return undefined;
}

/**
 * True when `text` names WGS 84 longitude and latitude as a legacy GeoJSON `crs` member means
 * it: CRS84, or EPSG:4326 read longitude first (GeoJSON 2008 and the tools writing it did so).
 */
export function namesLonLat(text: string): boolean {
  const name = readCrsName(text);
  return name?.authority === 'OGC' || name?.code === 4326;
}

/** The name a `crs` gives: a CRS name or URI, or a legacy GeoJSON `{ properties: { name } }`. */
export function nameOfCrsMember(crs: unknown): string {
  if (typeof crs === 'string') return crs;
  const name = (crs as { properties?: { name?: unknown } } | null)?.properties?.name;
  if (typeof name === 'string') return name;
  try {
    return JSON.stringify(crs);
  } catch {
    // nested past the stack's depth (JSON.parse reads deeper than JSON.stringify writes)
    return 'a value nested too deep to quote';
  }
}
