/** GeoJSON writers: a FeatureCollection and newline-delimited GeoJSON, streamed. */
import type { Writable } from 'node:stream';
import { writeChunk, type ExportFeature, type ExportShape } from './export-feature.js';

function featureJson(feature: ExportFeature): string {
  return JSON.stringify({
    type: 'Feature',
    id: feature.id,
    properties: feature.properties,
    geometry: feature.geometry,
  });
}

/**
 * A FeatureCollection. Output in another CRS than lon/lat carries the (pre-RFC 7946) `crs`
 * member, which GDAL and QGIS still read; RFC 7946 itself only allows lon/lat.
 */
export async function writeGeoJson(
  features: AsyncIterable<ExportFeature>,
  shape: ExportShape,
  out: Writable,
) {
  const crs =
    shape.srid === 4326
      ? ''
      : `"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::${shape.srid}"}},`;
  await writeChunk(
    out,
    `{"type":"FeatureCollection","name":${JSON.stringify(shape.name)},${crs}"features":[\n`,
  );
  let first = true;
  for await (const feature of features) {
    await writeChunk(out, `${first ? '' : ',\n'}${featureJson(feature)}`);
    first = false;
  }
  await writeChunk(out, '\n]}\n');
}

/** One feature per line (GeoJSONSeq without record separators). */
export async function writeGeoJsonSeq(features: AsyncIterable<ExportFeature>, out: Writable) {
  for await (const feature of features) await writeChunk(out, `${featureJson(feature)}\n`);
}
