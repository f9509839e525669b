/**
 * The coordinate systems the export sheet offers, as [`EPSG:code`, label]; the label names the
 * datum of the code. Cilacap lies in Indonesia's TM-3 zone 49.1 (central meridian 109.5° E),
 * whose EPSG code is on DGN95: EPSG has no SRGI2013 TM-3 code (SRGI2013 has UTM only).
 */
export const exportCoordinateSystems: [string, string][] = [
  ['EPSG:4326', 'WGS 84 lon/lat (EPSG:4326)'],
  ['EPSG:32749', 'UTM 49S (EPSG:32749)'],
  ['EPSG:23835', 'TM-3 49.1 DGN95 (EPSG:23835)'],
  ['EPSG:3857', 'Web Mercator (EPSG:3857)'],
];
