/** FlatGeobuf reader, streaming feature by feature; the CRS comes from the file header. */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { deserialize } from 'flatgeobuf/lib/mjs/geojson.js';
import type { HeaderMeta } from 'flatgeobuf/lib/mjs/header-meta.js';
import type { Geometry } from 'geojson';
import {
  readerFailure,
  type OpenedSource,
  type SourceCrs,
  type SourceFeature,
} from './source-feature.js';

async function* readFeatures(file: string, signal?: AbortSignal): AsyncGenerator<SourceFeature> {
  const stream = Readable.toWeb(fs.createReadStream(file)) as ReadableStream;
  let rowNumber = 0;
  try {
    for await (const feature of deserialize(stream)) {
      signal?.throwIfAborted();
      rowNumber += 1;
      const properties = { ...(feature.properties ?? {}) } as Record<string, unknown>;
      yield { rowNumber, properties, geometry: (feature.geometry ?? null) as Geometry | null };
    }
  } catch (error) {
    throw readerFailure('unreadable-flatgeobuf', 'The FlatGeobuf file', error, signal);
  }
}

/** The header of a FlatGeobuf file: its columns, CRS and feature count. */
async function readHeader(file: string): Promise<HeaderMeta | undefined> {
  const stream = Readable.toWeb(fs.createReadStream(file)) as ReadableStream;
  let header: HeaderMeta | undefined;
  const features = deserialize(stream, { headerMetaFn: (meta: HeaderMeta) => (header = meta) });
  try {
    await features.next();
  } catch (error) {
    throw readerFailure('unreadable-flatgeobuf', 'The FlatGeobuf file', error);
  } finally {
    await features.return(undefined);
  }
  return header;
}

/** Opens a FlatGeobuf file. A header without a CRS code leaves the CRS unknown. */
export async function openFlatGeobuf(file: string, name: string): Promise<OpenedSource> {
  const header = await readHeader(file);
  const code = header?.crs?.code;
  const crs: SourceCrs | undefined = code ? { epsg: code } : undefined;
  return {
    name,
    fields: header?.columns?.map((c) => c.name) ?? [],
    crs,
    featureCount: header?.featuresCount || undefined,
    notes: [],
    features: (signal) => readFeatures(file, signal),
  };
}
