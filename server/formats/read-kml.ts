/**
 * KML reader (and KMZ, once unzipped). Features come out as the KML has them: placemark name,
 * description and ExtendedData fields as properties, lon/lat on WGS 84.
 */
import fs from 'node:fs';
import { kmlGen } from '@tmcw/togeojson';
import { DOMParser } from '@xmldom/xmldom';
import type { Geometry } from 'geojson';
import { lonLat, readerFailure, SourceFileError, type OpenedSource } from './source-feature.js';

/**
 * KML is parsed as a whole document (XML DOM), so memory grows with the file. KML made by
 * hand or by Google Earth stays far below this; larger data belongs in a GeoPackage.
 */
const maxKmlBytes = 200 * 1024 ** 2;

async function parseKml(file: string): Promise<Document> {
  try {
    const text = await fs.promises.readFile(file, 'utf8');
    // A fatal error still throws (and becomes the refusal below); without a handler xmldom
    // would also print every error and warning to the console, before the command line's line.
    const parser = new DOMParser({ onError: () => undefined });
    return parser.parseFromString(text, 'text/xml') as unknown as Document;
  } catch (error) {
    throw readerFailure('unreadable-kml', 'The KML file', error);
  }
}

async function* readPlacemarks(file: string, signal?: AbortSignal) {
  const document = await parseKml(file);
  let rowNumber = 0;
  for (const feature of kmlGen(document)) {
    signal?.throwIfAborted();
    rowNumber += 1;
    const properties = { ...(feature.properties ?? {}) } as Record<string, unknown>;
    delete properties.styleUrl;
    delete properties.styleHash;
    delete properties.styleMapHash;
    yield { rowNumber, properties, geometry: (feature.geometry ?? null) as Geometry | null };
  }
}

/** Opens a KML file; refused past 200 MB, with the reason. */
export function openKml(file: string, name: string): OpenedSource {
  if (fs.statSync(file).size > maxKmlBytes) {
    throw new SourceFileError(
      'file-too-large',
      'KML files over 200 MB are not read (KML is parsed whole); convert it to GeoPackage.',
      { maxMb: maxKmlBytes / 1024 ** 2 },
    );
  }
  const layer = { name, fields: [], crs: lonLat, formatCrs: lonLat, notes: [] };
  return { ...layer, features: (s) => readPlacemarks(file, s) };
}
