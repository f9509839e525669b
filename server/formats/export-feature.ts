/** What every export writer takes: features read from the layer, and the layer's columns. */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Geometry } from 'geojson';
import type { AttributeType } from '../../layers/index.js';

/** One feature to write: its id, attribute values and geometry in the output CRS. */
export interface ExportFeature {
  id: number;
  properties: Record<string, unknown>;
  geometry: Geometry;
}

/** A column of the output: the feature id or a declared attribute, with its type. */
export interface ExportColumn {
  name: string;
  type: AttributeType | 'id';
}

/** What a writer knows of the output besides the features. */
export interface ExportShape {
  /** Output layer name (the layer id). */
  name: string;
  columns: ExportColumn[];
  /** Declared geometry type of the layer. */
  geometryType: 'Point' | 'MultiPoint' | 'MultiLineString' | 'MultiPolygon';
  /** EPSG code of the output coordinates. */
  srid: number;
}

/**
 * Writes a chunk, waiting for the stream to drain when its buffer is full (constant memory).
 * Rejects when the stream closes first (a client that hung up, a server cutting connections
 * at shutdown): waiting for a 'drain' that never comes held the export's database connection
 * for as long as the process ran, and a pool's worth of abandoned downloads stopped the API.
 */
export async function writeChunk(out: Writable, chunk: string | Uint8Array): Promise<void> {
  if (out.destroyed) throw closedEarly();
  if (out.write(chunk)) return;
  const settled = new AbortController();
  const closed = once(out, 'close', { signal: settled.signal }).then(() => {
    throw closedEarly();
  });
  try {
    await Promise.race([once(out, 'drain', { signal: settled.signal }), closed]);
  } finally {
    settled.abort();
  }
}

/** The error of a write to an output already closed (a client gone). */
export function closedEarly() {
  return Object.assign(new Error('the output closed before the export was written'), {
    code: 'ERR_STREAM_PREMATURE_CLOSE',
  });
}
