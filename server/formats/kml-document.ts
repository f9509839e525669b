/**
 * A KML document read into placemarks: placemark name, description and ExtendedData fields as
 * properties, lon/lat on WGS 84. A NetworkLink to another KML file of the same KMZ is followed:
 * that file's placemarks come after those of the file linking to it. A link to anything else
 * (a web address, a file not sent) is refused, naming it: Simpul fetches nothing.
 *
 * The document is parsed whole (xmldom, synchronous) and then walked (togeojson): seconds of
 * processor time for a large file, so an import runs this in a worker thread (kml-reader.ts),
 * never on a server's main thread.
 */
import fs from 'node:fs';
import path from 'node:path';
import { kmlGen } from '@tmcw/togeojson';
import { DOMParser } from '@xmldom/xmldom';
import type { GeoJsonProperties, Geometry } from 'geojson';
import { readerFailure, SourceFileError } from './source-feature.js';

/**
 * KML is parsed as a whole document (XML DOM), so memory grows with the file. KML made by
 * hand or by Google Earth stays far below this; larger data belongs in a GeoPackage.
 */
const maxKmlBytes = 200 * 1024 ** 2;

export function refuseLargeKml(file: string) {
  if (fs.statSync(file).size <= maxKmlBytes) return;
  throw new SourceFileError(
    'file-too-large',
    'KML files over 200 MB are not read (KML is parsed whole); convert it to GeoPackage.',
    { maxMb: maxKmlBytes / 1024 ** 2 },
  );
}

/**
 * The most elements a KML document may hold: its DOM takes 1 to 3 KB of memory per element,
 * so a 150 MB file of small placemarks (a million elements) ended the server at its 4 GB
 * heap, and 300,000 (some 30,000 placemarks with a few data fields) take about 500 MB.
 */
const maxKmlElements = 300000;

/**
 * The start tags of an XML text, counted without parsing it: the tags inside CDATA (a
 * description's HTML) and comments are text, not elements. Stops counting past `atMost`.
 */
function countStartTags(text: string, atMost: number): number {
  let count = 0;
  let at = text.indexOf('<');
  while (at !== -1 && count <= atMost) {
    const next = text.charCodeAt(at + 1);
    if (text.startsWith('<![CDATA[', at)) at = skipPast(text, ']]>', at);
    else if (text.startsWith('<!--', at)) at = skipPast(text, '-->', at);
    // not an end tag (/), a declaration (!) or a processing instruction (?)
    else if (next !== 0x2f && next !== 0x21 && next !== 0x3f) count += 1;
    at = text.indexOf('<', at + 1);
  }
  return count;
}

/** Where `end` starts after `from`, or the end of `text` when it is not there. */
function skipPast(text: string, end: string, from: number): number {
  const found = text.indexOf(end, from);
  return found === -1 ? text.length : found;
}

function refuseManyElements(text: string) {
  if (countStartTags(text, maxKmlElements) <= maxKmlElements) return;
  throw new SourceFileError(
    'file-too-large',
    `KML files of more than ${maxKmlElements.toLocaleString('en')} elements are not read ` +
      '(KML is parsed whole, in memory); convert it to GeoPackage.',
    { code: 'too-many-elements', maxElements: maxKmlElements },
  );
}

async function parseKml(file: string): Promise<Document> {
  const text = await fs.promises.readFile(file, 'utf8').catch((error: unknown) => {
    throw readerFailure('unreadable-kml', 'The KML file', error);
  });
  refuseManyElements(text);
  try {
    // A fatal error still throws (and becomes the refusal below); without a handler xmldom
    // would also print every error and warning to the console, before the command line's line.
    const parser = new DOMParser({ onError: () => undefined });
    return parser.parseFromString(text, 'text/xml') as unknown as Document;
  } catch (error) {
    throw readerFailure('unreadable-kml', 'The KML file', error);
  }
}

/** togeojson yields a NetworkLink as a feature of this kind, its address as `href`. */
function isNetworkLink(feature: { properties: GeoJsonProperties }) {
  return feature.properties?.['@geometry-type'] === 'networklink';
}

/** A NetworkLink this reader does not follow, named, with what would work instead. */
function unreadLink(code: 'remote' | 'missing', file: string, link: string) {
  const instead =
    code === 'remote'
      ? 'which Simpul does not fetch: it reads only files inside the KMZ. Download the linked ' +
        'file and send it, or a KMZ holding it.'
      : 'which is not inside the file sent; send a KMZ that holds the linked file too.';
  const message = `${file} links to ${link} (a NetworkLink), ${instead}`;
  return new SourceFileError('kml-link-not-read', message, { code, file, link });
}

/** A NetworkLink without an address (KML 2.0's Url, which togeojson does not read, or none). */
function linkWithoutHref(file: string, name: string) {
  const message =
    `${file} holds the NetworkLink "${name}" without an address in Link/href (KML 2.2); ` +
    'save the file again with a current KML writer, or send the linked file itself.';
  return new SourceFileError('kml-link-not-read', message, { code: 'no-href', file, name });
}

/** `href` with its %-escapes decoded, or as written when they are not valid UTF-8. */
function decodedHref(href: string) {
  try {
    return decodeURIComponent(href);
  } catch {
    return href;
  }
}

/**
 * The KML files a document's NetworkLinks name, found among the files of its KMZ (`archive`,
 * unpacked by file name: an archive holding two of one name is refused when unpacked).
 */
function linkedFiles(document: Document, name: string, archive: readonly string[]): string[] {
  // togeojson yields the links after every placemark: asked only of a document holding one
  if (document.getElementsByTagName('NetworkLink').length === 0) return [];
  const linked: string[] = [];
  for (const feature of kmlGen(document)) {
    if (!isNetworkLink(feature)) continue;
    const href = String(feature.properties?.href ?? '').trim();
    if (!href) throw linkWithoutHref(name, String(feature.properties?.name ?? ''));
    if (/^(https?|ftp):/i.test(href)) throw unreadLink('remote', name, href);
    // another scheme (file:), a drive letter or a path from the root: never inside the archive
    const inArchive = !/^([a-z][a-z0-9+.-]*:|[/\\])/i.test(href);
    const entry = decodedHref(href.split('#')[0]!).replace(/\\/g, '/');
    const wanted = path.posix.basename(entry).toLowerCase();
    const found = archive.find((file) => path.basename(file).toLowerCase() === wanted);
    if (!inArchive || !found) throw unreadLink('missing', name, href);
    linked.push(found);
  }
  return linked;
}

export interface KmlPlacemark {
  properties: Record<string, unknown>;
  geometry: Geometry | null;
  /** The most positions one Point of the placemark holds in its coordinates; 1 when valid. */
  pointPositions: number;
}

/** The positions of a KML coordinates text: tuples apart by whitespace, "109,-7 110,-7". */
function countPositions(text: string): number {
  // a space beside a comma ("109, -7") stays within the tuple, as togeojson reads it
  const tuples = text
    .replace(/\s*,\s*/g, ',')
    .trim()
    .split(/\s+/);
  return tuples.filter(Boolean).length;
}

function mostPointPositions(placemark: Element): number {
  const points = Array.from(placemark.getElementsByTagName('Point'));
  const counts = points.map((point) => {
    const coordinates = point.getElementsByTagName('coordinates')[0];
    return countPositions(coordinates?.textContent ?? '');
  });
  return Math.max(0, ...counts);
}

/**
 * The placemarks of `file` and then, in link order, of the KML files it links to, each file
 * read once however often it is linked.
 */
export async function* readKmlFile(
  file: string,
  archive: readonly string[],
  read: Set<string>,
  signal?: AbortSignal,
): AsyncGenerator<KmlPlacemark> {
  read.add(file);
  refuseLargeKml(file);
  const document = await parseKml(file);
  const linked = linkedFiles(document, path.basename(file), archive);
  // kmlGen yields the placemarks first, in document order, then overlays and links
  const placemarks = Array.from(document.getElementsByTagName('Placemark'));
  let index = 0;
  for (const feature of kmlGen(document)) {
    signal?.throwIfAborted();
    if (isNetworkLink(feature)) continue;
    const placemark = placemarks[index++];
    const properties = { ...(feature.properties ?? {}) } as Record<string, unknown>;
    delete properties.styleUrl;
    delete properties.styleHash;
    delete properties.styleMapHash;
    const geometry = (feature.geometry ?? null) as Geometry | null;
    const pointPositions = placemark ? mostPointPositions(placemark) : 0;
    yield { properties, geometry, pointPositions };
  }
  for (const next of linked) {
    if (!read.has(next)) yield* readKmlFile(next, archive, read, signal);
  }
}
