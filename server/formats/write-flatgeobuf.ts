/**
 * FlatGeobuf writer, streamed with the library's own header and feature builders: the file
 * has no spatial index (an index needs every feature first), which every reader accepts.
 */
import type { Writable } from 'node:stream';
import { Builder } from 'flatbuffers';
import type { ColumnMeta } from 'flatgeobuf/lib/mjs/column-meta.js';
import { magicbytes } from 'flatgeobuf/lib/mjs/constants.js';
import { Column } from 'flatgeobuf/lib/mjs/flat-geobuf/column.js';
import { ColumnType } from 'flatgeobuf/lib/mjs/flat-geobuf/column-type.js';
import { Crs } from 'flatgeobuf/lib/mjs/flat-geobuf/crs.js';
import { GeometryType } from 'flatgeobuf/lib/mjs/flat-geobuf/geometry-type.js';
import { Header } from 'flatgeobuf/lib/mjs/flat-geobuf/header.js';
import { buildFeature } from 'flatgeobuf/lib/mjs/generic/feature.js';
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
  // FlatGeobuf has no calendar-day type: a date is its nearest, an ISO 8601 DateTime holding
  // only the day ("2024-06-01"), as GDAL writes its own date fields; readers see a date field
  date: ColumnType.DateTime,
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

/**
 * The header's bytes, size-prefixed. The library's `buildHeader` names every layer "L1", which
 * GDAL and QGIS then show: this one writes the same fields with the layer's id as its name.
 */
function buildNamedHeader(header: HeaderMeta, name: string, srid: number): Uint8Array {
  const builder = new Builder();
  const columns = (header.columns ?? []).map((column) => {
    const columnName = builder.createString(column.name);
    Column.startColumn(builder);
    Column.addName(builder, columnName);
    Column.addType(builder, column.type);
    return Column.endColumn(builder);
  });
  const columnsVector = Header.createColumnsVector(builder, columns);
  const nameOffset = builder.createString(name);
  Crs.startCrs(builder);
  Crs.addCode(builder, srid);
  const crs = Crs.endCrs(builder);

  Header.startHeader(builder);
  Header.addCrs(builder, crs);
  Header.addFeaturesCount(builder, BigInt(header.featuresCount));
  Header.addGeometryType(builder, header.geometryType);
  Header.addIndexNodeSize(builder, 0);
  Header.addColumns(builder, columnsVector);
  Header.addName(builder, nameOffset);
  builder.finishSizePrefixed(Header.endHeader(builder));
  return builder.asUint8Array();
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
  await writeChunk(out, buildNamedHeader(header, shape.name, shape.srid));
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
