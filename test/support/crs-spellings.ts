/**
 * Every spelling of a CRS name Simpul reads (`server/crs-name.ts`), so that each entry point
 * (import, `crs` and `bbox-crs`, `Content-Crs`, a `crs` member, a place) is tested with all.
 */

/** The ways of naming CRS84, WGS 84 longitude and latitude. */
export const crs84Spellings = [
  'http://www.opengis.net/def/crs/OGC/1.3/CRS84',
  'https://www.opengis.net/def/crs/OGC/1.3/CRS84',
  'urn:ogc:def:crs:OGC:1.3:CRS84',
  'urn:ogc:def:crs:OGC::CRS84',
  'CRS84',
  'OGC:CRS84',
  '[OGC:CRS84]',
];

/** The ways of naming the EPSG code `code`. */
export function epsgSpellings(code: number): string[] {
  return [
    `http://www.opengis.net/def/crs/EPSG/0/${code}`,
    `https://www.opengis.net/def/crs/EPSG/0/${code}`,
    `urn:ogc:def:crs:EPSG::${code}`,
    `urn:ogc:def:crs:EPSG:9.9:${code}`,
    `EPSG:${code}`,
    `epsg:${code}`,
    `[EPSG:${code}]`,
  ];
}
