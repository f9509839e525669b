/**
 * FlatGeobuf writer, streamed with the library's own header and feature builders: the file
 * has no spatial index (an index needs every feature first), which every reader accepts.
 */
import type { Writable } from 'node:stream';
import type { ColumnMeta } from 'flatgeobuf/lib/mjs/column-meta.js';
import { magicbytes } from 'flatgeobuf/lib/mjs/constants.js';
import { ColumnType } from 'flatgeobuf/lib/mjs/flat-geobuf/column-type.js';
import { GeometryType } from 'flatgeobuf/lib/mjs/flat-geobuf/geometry-type.js';
import { buildFeature } from 'flatgeobuf/lib/mjs/generic/feature.js';
import { buildHeader } from 'flatgeobuf/lib/mjs/generic/featurecollection.js';
import { parseGeometry } from 'flatgeobuf/lib/mjs/geojson/geometry.js';
import type { HeaderMeta } from 'flatgeobuf/lib/mjs/header-meta.js';
import type { Point, MultiPoint, MultiLineString, MultiPolygon } from 'geojson';
import {
  writeChunk,
  type ExportColumn,
  type ExportFeature,
  type ExportShape,
} from './export-feature.js';

const columnTypes: Record<ExportColumn['type'], ColumnType> = {
  id: ColumnType.Long,
  text: ColumnType.String,
  integer: ColumnType.Int,
  number: ColumnType.Double,
  boolean: ColumnType.Bool,
  // FlatGeobuf has no calendar-day type: a date travels as ISO text
  date: ColumnType.String,
  timestamp: ColumnType.DateTime,
};

function columnMeta(column: ExportColumn): ColumnMeta {
  return {
    name: column.name,
    type: columnTypes[column.type],
    title: null,
    description: null,
    width: -1,
    precision: -1,
    scale: -1,
    nullable: column.type !== 'id',
    unique: column.type === 'id',
    primary_key: column.type === 'id',
  };
}

/** The header of a streamed file: no index, feature count unknown (0). */
export function flatGeobufHeader(shape: ExportShape): HeaderMeta {
  return {
    geometryType: GeometryType[shape.geometryType],
    columns: shape.columns.map(columnMeta),
    envelope: null,
    featuresCount: 0,
    indexNodeSize: 0,
    crs: null,
    title: shape.name,
    description: null,
    metadata: null,
  };
}

function featureValues(feature: ExportFeature, columns: ExportColumn[]) {
  const values: Record<string, string | number | boolean | null> = {};
  for (const column of columns) {
    const value = column.type === 'id' ? feature.id : feature.properties[column.name];
    values[column.name] = (value ?? null) as string | number | boolean | null;
  }
  return values;
}

/**
 * A geometry in FlatGeobuf's flat form. The library leaves out the part ends of a
 * MultiLineString of one part, which the format allows, but GDAL (3.6, and the QGIS built on
 * it) refuses such a feature ("MultiLineString ends data"): the ends are always written.
 */
function flatGeometry(geometry: Point | MultiPoint | MultiLineString | MultiPolygon) {
  const parsed = parseGeometry(geometry);
  if (geometry.type === 'MultiLineString' && !parsed.ends) parsed.ends = [parsed.xy.length / 2];
  return parsed;
}

/** Writes a FlatGeobuf file feature by feature. */
export async function writeFlatGeobuf(
  features: AsyncIterable<ExportFeature>,
  shape: ExportShape,
  out: Writable,
) {
  const header = flatGeobufHeader(shape);
  await writeChunk(out, magicbytes);
  await writeChunk(out, buildHeader(header, shape.srid));
  for await (const feature of features) {
    const geometry = feature.geometry as Point | MultiPoint | MultiLineString | MultiPolygon;
    const bytes = buildFeature(
      flatGeometry(geometry),
      featureValues(feature, shape.columns),
      header,
    );
    await writeChunk(out, bytes);
  }
}
