/**
 * What every import reader yields: one record of the source file with its row number, its
 * properties as the file holds them, and its geometry as GeoJSON in the source CRS.
 */
import type { Geometry } from 'geojson';
import type { ImportNote } from '../db/queries/import-jobs.js';

/** One record of a source file, before mapping and validation. */
export interface SourceFeature {
  /** 1-based number a person can find in the file: the feature's position, or a CSV row. */
  rowNumber: number;
  properties: Record<string, unknown>;
  /** GeoJSON geometry in the source CRS; null when the record has none. */
  geometry: Geometry | null;
  /**
   * True when the file held Z values the reader left out of `geometry` (a PointZ Shapefile),
   * so that the import counts them as dropped all the same.
   */
  zDropped?: boolean;
  /**
   * True when the file held M (measure) values, dropped as Z values are. A reader that sets it
   * says with `zDropped` whether Z values came too: a third ordinate left in `geometry` (a WKT
   * `POINT M`) is then a measure, not an elevation.
   */
  mDropped?: boolean;
  /**
   * Why the record's geometry could not be read (a CSV's WKT with a typo), `geometry` then
   * null: the import rejects the row saying so, not that it has no geometry.
   */
  geometryUnreadable?: string;
}

/** How a source names its coordinate system: an EPSG code, or WKT (a Shapefile `.prj`). */
export type SourceCrs = { epsg: number } | { wkt: string };

/** Longitude/latitude on WGS 84, what GeoJSON (RFC 7946) and KML always use. */
export const lonLat: SourceCrs = { epsg: 4326 };

/** A layer inside a source file (a GeoPackage table, a Shapefile of a zip, or the file itself). */
export interface SourceLayer {
  name: string;
  /** Field names in file order, when the format declares them up front. */
  fields: string[];
  /** The CRS the file declares; undefined when it declares none (then the caller must say). */
  crs?: SourceCrs;
  /**
   * The CRS the format itself prescribes (lon/lat for GeoJSON, RFC 7946, and KML), which a
   * file may contradict (a GeoJSON's legacy `crs` member) and a CRS given may override: a
   * reading that puts the first features outside the regency where this one puts them in it
   * is refused.
   */
  formatCrs?: SourceCrs;
  /**
   * True when the reader already reprojected the coordinates from the CRS the file names into
   * `crs` (GDAL reading a GeoPackage): a CRS given for the file can then only misread them.
   */
  reprojected?: boolean;
  /**
   * For a `reprojected` source: its features as the file stores them, not reprojected, and
   * the name of the CRS the file names for them. A layer naming a CRS of metres over
   * longitude/latitude coordinates is refused when these show it.
   */
  stored?: { crsName: string; features: (signal?: AbortSignal) => AsyncIterable<SourceFeature> };
  /** True when the reader already reprojected the coordinates from the CRS given for the file. */
  crsApplied?: boolean;
  /** Text encoding used to read attribute text, when the format has a choice (Shapefile). */
  encoding?: string;
  /**
   * Numbers in text cells are written with a decimal comma, a point grouping thousands
   * (`1.234,5`): a CSV read so, detected or as asked. Default false.
   */
  decimalComma?: boolean;
  /** Number of features when the format knows it without reading them all. */
  featureCount?: number;
  /** Facts a person should know about how the file was read (encoding assumed, Z dropped…). */
  notes: ImportNote[];
}

/** An opened source layer: its description and its features, read once, in file order. */
export interface OpenedSource extends SourceLayer {
  features(signal?: AbortSignal): AsyncIterable<SourceFeature>;
  /** Share of the source read so far, 0–1, for progress bars; absent when unknown. */
  fractionRead?(): number;
}

/** What a refusal quotes beside its English message: a field name, a list of layers… */
export type SourceFileParams = Record<string, string | number | string[]>;

/**
 * Thrown when a file cannot be read as asked; its message says what would work, and `params`
 * hold what that message quotes, so a client can word it in its own language.
 */
export class SourceFileError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly params: SourceFileParams = {},
  ) {
    super(message);
  }
}

/**
 * A reader library's own failure (`unexpected end of file`) as a refusal of the file: `code`
 * says in plain words what could not be read, the library's English text stays as `reason`.
 * A refusal already worded, and a cancel, pass through unchanged.
 */
export function readerFailure(
  code: string,
  what: string,
  error: unknown,
  signal?: AbortSignal,
): unknown {
  if (error instanceof SourceFileError || signal?.aborted) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new SourceFileError(code, `${what} cannot be read: ${asSentence(reason)}`, { reason });
}

/**
 * A library's message ending as a sentence, so that text added after it (the upload was
 * removed) does not run on: `Parser has expected a value` becomes `… a value.`.
 */
export function asSentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
