/**
 * A KML document read into placemarks: placemark name, description and ExtendedData fields as
 * properties, lon/lat on WGS 84. A NetworkLink to another KML file of the same KMZ is followed:
 * that file's placemarks come after those of the file linking to it. A link to anything else
 * (a web address, a file not sent) is refused, naming it: Simpul fetches nothing.
 *
 * The file streams through a SAX parser (sax), which cuts out each Placemark (and each Schema,
 * GroundOverlay and NetworkLink) as text; togeojson then reads each piece alone, parsed by
 * xmldom into a document of its own. Memory stays that of a few placemarks whatever the file's
 * size (30,000 placemarks: 160 MB of RSS, where the whole document took 400 to 750 MB). The
 * reading takes processor time (those 30,000 about 4 s, as parsing the whole document did),
 * so an import runs it in a worker thread (kml-reader.ts), never on a server's main thread.
 */
import fs from 'node:fs';
import path from 'node:path';
import { kmlGen } from '@tmcw/togeojson';
import { combine, feature as turfFeature, featureCollection, flatten } from '@turf/turf';
import { DOMParser } from '@xmldom/xmldom';
import type { GeoJsonProperties, Geometry } from 'geojson';
import sax from 'sax';
import { readerFailure, SourceFileError } from './source-feature.js';

/**
 * sax refuses a comment, attribute or declaration longer than its buffer (64 KB by default) as
 * if the file were broken; a long text or CDATA it hands on in parts. Only the thread's heap
 * limits what one of them may hold.
 */
(sax as unknown as { MAX_BUFFER_LENGTH: number }).MAX_BUFFER_LENGTH = 256 * 1024 ** 2;

/**
 * The elements cut out of the stream, as togeojson reads them from a whole document: a shared
 * style (Google Earth's own in a gx:CascadingStyle) too, given to the placemarks naming it.
 */
type PieceKind = 'Placemark' | 'GroundOverlay' | 'NetworkLink' | 'Schema' | StyleKind;
type StyleKind = 'Style' | 'StyleMap' | 'gx:CascadingStyle';
const styleKinds = new Set<string>(['Style', 'StyleMap', 'gx:CascadingStyle']);
const pieceKinds = new Set<string>(['Placemark', 'GroundOverlay', 'NetworkLink', 'Schema']);
for (const kind of styleKinds) pieceKinds.add(kind);

/** One element cut out of the file, with the namespaces its ancestors declared. */
interface Piece {
  kind: PieceKind;
  text: string;
  /** Its `id` (a gx:CascadingStyle's `kml:id`), by which a styleUrl names a style. */
  id: string;
  /** Those declarations as attributes of a start tag: ` xmlns="…" xmlns:gx="…"`. */
  namespaces: string;
}

/** The `xmlns` and `xmlns:*` attributes of a start tag. */
function declaredNamespaces(attributes: Record<string, string>): Map<string, string> {
  const declared = new Map<string, string>();
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) declared.set(name, value);
  }
  return declared;
}

/** The namespaces in scope, each open element's declarations over those of its ancestors. */
function inScope(open: readonly Map<string, string>[]): string {
  const scope = new Map<string, string>();
  for (const declared of open) for (const [name, value] of declared) scope.set(name, value);
  const escaped = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  return Array.from(scope, ([name, value]) => ` ${name}="${escaped(value)}"`).join('');
}

/**
 * The faults sax stops at that xmldom, reading the whole document before, took as written (a
 * bare `&`, an entity XML does not define, an unquoted attribute value, text after the root
 * element): none moves the element boundaries pieces are cut at, so reading goes on.
 */
const looseFaults = [
  'Invalid character in entity name',
  'Invalid character entity',
  'Unquoted attribute value',
  'Text data outside of root node',
  // a `<` that cannot start a tag (`x <5`, `x<=5`): sax keeps it in the text
  'Unencoded <',
];

/** What opens a CDATA section or a comment, and a `<` followed by whitespace. */
const openings = /<!\[CDATA\[|<!--|<(?=\s)/g;
const closings: Record<string, string> = { '<![CDATA[': ']]>', '<!--': '-->' };
/** The most characters an opening takes (`<![CDATA[`), less one: held back at a chunk's end. */
const openingReach = 8;

/**
 * Escapes each `<` followed by whitespace (`a < b`) as `&lt;`, outside CDATA sections and
 * comments, where it stays as written. XML starts no markup so: xmldom read it as text, where
 * sax takes `< b` for a tag named b and loses the element boundaries. Fed the file chunk by
 * chunk, it holds back the end of each that an opening may straddle; `last` flushes it.
 */
function bareLessThanEscaper() {
  let closing: string | undefined;
  let held = '';
  return (chunk: string, last = false): string => {
    const text = held + chunk;
    const end = last ? text.length : Math.max(0, text.length - openingReach);
    const escapes: number[] = [];
    let at = 0;
    while (at < end) {
      if (closing) {
        const found = text.indexOf(closing, at);
        at = found === -1 ? end : found + closing.length;
        if (found !== -1) closing = undefined;
        continue;
      }
      openings.lastIndex = at;
      const opening = openings.exec(text);
      if (!opening || opening.index >= end) {
        at = end;
      } else if (opening[0] === '<') {
        escapes.push(opening.index);
        at = opening.index + 1;
      } else {
        closing = closings[opening[0]];
        at = openings.lastIndex;
      }
    }
    const done = Math.max(at, end);
    held = text.slice(done);
    let escaped = '';
    let from = 0;
    for (const index of escapes) {
      escaped += `${text.slice(from, index)}&lt;`;
      from = index + 1;
    }
    return escaped + text.slice(from, done);
  };
}

/** sax's reason for stopping, without its place; a close tag names the tag it fails to close. */
function saxReason(parser: sax.SAXParser, error: Error): string {
  const reason = error.message.split('\n')[0]!;
  const { tags, tagName } = parser as sax.SAXParser & { tags: sax.Tag[]; tagName: string };
  const unclosed = tags.at(-1)?.name;
  if (reason !== 'Unexpected close tag' || !unclosed) return reason;
  return `</${tagName}> where <${unclosed}> is not closed`;
}

/**
 * The pieces of `file` in document order, as the file streams past: the text of each
 * Placemark, Schema, GroundOverlay and NetworkLink outside another piece. Only the text since
 * the start of the piece being read is held. A file that is not well-formed XML is refused
 * where the parser stops.
 */
async function* readPieces(file: string, signal?: AbortSignal): AsyncGenerator<Piece[]> {
  const parser = sax.parser(true, { position: true });
  const open: Map<string, string>[] = [];
  const ready: Piece[] = [];
  let failure: Error | undefined;
  let roots = 0;
  // the text from `heldFrom` (a position in the file, in UTF-16 units) to what was last read
  let held = '';
  let heldFrom = 0;
  let piece: (Omit<Piece, 'text'> & { from: number; depth: number }) | undefined;
  parser.onopentag = (tag) => {
    // sax reads on past the root element's end: a second one is not the same document
    if (open.length === 0 && (roots += 1) > 1)
      failure ??= new Error(`A second root, <${tag.name}>`);
    if (!piece && pieceKinds.has(tag.name)) {
      const from = parser.startTagPosition - 1;
      const { id = '', 'kml:id': kmlId = '' } = tag.attributes as Record<string, string>;
      const namespaces = inScope(open);
      const kind = tag.name as PieceKind;
      piece = { kind, id: id || kmlId, from, depth: open.length, namespaces };
    }
    open.push(declaredNamespaces(tag.attributes as Record<string, string>));
  };
  parser.onclosetag = () => {
    open.pop();
    if (!piece || open.length !== piece.depth) return;
    const text = held.slice(piece.from - heldFrom, parser.position - heldFrom);
    ready.push({ kind: piece.kind, text, id: piece.id, namespaces: piece.namespaces });
    piece = undefined;
  };
  parser.onerror = (error) => {
    // a fault of text that xmldom reads as written goes on; the piece is parsed by xmldom
    const reason = saxReason(parser, error);
    if (looseFaults.some((fault) => reason.startsWith(fault))) parser.resume();
    // sax adds its place on lines of its own, counting lines from 0
    else failure ??= new Error(`${reason} at line ${parser.line + 1}, column ${parser.column}`);
  };
  const stream = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  const escape = bareLessThanEscaper();
  try {
    for await (const read of stream as AsyncIterable<string>) {
      signal?.throwIfAborted();
      const chunk = escape(read);
      held += chunk;
      parser.write(chunk);
      if (failure) throw failure;
      if (ready.length > 0) yield ready.splice(0);
      // keep the piece being read, else from the last '<': a start tag not yet ended
      const keepFrom = piece ? piece.from : heldFrom + Math.max(0, held.lastIndexOf('<'));
      held = held.slice(keepFrom - heldFrom);
      heldFrom = keepFrom;
    }
    const rest = escape('', true);
    held += rest;
    parser.write(rest);
    if (failure) throw failure;
    parser.close();
    // sax reads text without an element to its end without a word; xmldom refused it
    if (roots === 0) failure ??= new Error('it holds no element (no <kml> root)');
    if (failure) throw failure;
    if (ready.length > 0) yield ready.splice(0);
  } catch (error) {
    if (signal?.aborted || error instanceof SourceFileError) throw error;
    throw readerFailure('unreadable-kml', 'The KML file', error);
  } finally {
    stream.destroy();
  }
}

/**
 * Pieces of one namespace scope parsed into a document of their own, after the Schemas known
 * (togeojson types SchemaData values by them; see readAhead) and the styles they name.
 * Parsing pieces together, a chunk of the file at a time, spares xmldom's cost of starting a
 * document (half the time, one each).
 */
function piecesDocument(parser: DOMParser, pieces: readonly Piece[], schemas: string): Document {
  const text = pieces.map((piece) => piece.text).join('');
  const kml = `<kml${pieces[0]!.namespaces}><Document>${schemas}${text}</Document></kml>`;
  try {
    return parser.parseFromString(kml, 'text/xml') as unknown as Document;
  } catch (error) {
    throw readerFailure('unreadable-kml', 'The KML file', error);
  }
}

/** A shared style's start tag: one naming its id (a style inside a placemark rarely does). */
const sharedStyleTag = /<(Style|StyleMap|gx:CascadingStyle)\s[^>]*?\b(kml:)?id\s*=/;
/** Characters of a chunk's end searched again with the next: a start tag cut between them. */
const scanOverlap = 512;

/**
 * Whether `file` may hold a Schema, or a shared style, after its first Placemark: the text
 * searched, not parsed, so a tag in a comment or CDATA may answer yes (and the file is read
 * twice, no more). Searched in the one pass every file takes, ended once both are found.
 */
async function kindsAfterPlacemark(file: string) {
  const found = { schemas: false, styles: false };
  const stream = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  let tail = '';
  let placemarkSeen = false;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = tail + chunk;
      const from: number = placemarkSeen ? 0 : text.search(/<Placemark[\s>/]/);
      placemarkSeen ||= from !== -1;
      const after = placemarkSeen ? text.slice(from) : '';
      found.schemas ||= /<Schema[\s>/]/.test(after);
      found.styles ||= sharedStyleTag.test(after);
      if (found.schemas && found.styles) break;
      tail = text.slice(-scanOverlap);
    }
    return found;
  } finally {
    stream.destroy();
  }
}

/**
 * What a file's placemarks need before they are read (togeojson reads them from the whole
 * document): its Schemas, which type SchemaData, and its shared styles, which styleUrls name.
 * Those before the first placemark come as the file is read; when any follows it, that kind
 * is read first, over the whole file.
 */
async function readAhead(file: string, signal?: AbortSignal) {
  const needed = await kindsAfterPlacemark(file);
  if (!needed.schemas && !needed.styles) return {};
  let schemas = '';
  const styles = new Map<string, Piece>();
  for await (const pieces of readPieces(file, signal)) {
    for (const piece of pieces) {
      if (piece.kind === 'Schema') schemas += piece.text;
      else if (styleKinds.has(piece.kind)) styles.set(piece.id, piece);
    }
  }
  return {
    schemas: needed.schemas ? schemas : undefined,
    styles: needed.styles ? styles : undefined,
  };
}

/** A styleUrl naming a style of the same file: `#id` (or `id`). */
const styleUrls = /<styleUrl>\s*#?([^<#]*?)\s*<\/styleUrl>/g;

/**
 * The shared styles `pieces` name by styleUrl, and the styles a StyleMap among them names,
 * each within an element declaring the namespaces it was read in (a Folder, which togeojson
 * yields nothing of). Only these: a file may hold a style for each of its placemarks.
 */
function stylesNamed(pieces: readonly Piece[], styles: ReadonlyMap<string, Piece>): string {
  const named = new Map<string, Piece>();
  const addNamed = (text: string) => {
    for (const [, id] of text.matchAll(styleUrls)) {
      const style = styles.get(id!);
      if (!style || named.has(id!)) continue;
      named.set(id!, style);
      addNamed(style.text);
    }
  };
  for (const piece of pieces) addNamed(piece.text);
  return Array.from(
    named.values(),
    (style) => `<Folder${style.namespaces}>${style.text}</Folder>`,
  ).join('');
}

/** Pieces in runs: placemarks in the same namespaces together, any other piece alone. */
function* runsOf(pieces: readonly Piece[]): Generator<Piece[]> {
  let run: Piece[] = [];
  for (const piece of pieces) {
    const joins = piece.kind === 'Placemark' && run[0]?.kind === 'Placemark';
    if (run.length > 0 && !(joins && run[0]!.namespaces === piece.namespaces)) {
      yield run;
      run = [];
    }
    run.push(piece);
  }
  if (run.length > 0) yield run;
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
 * The KML file a NetworkLink names, found among the files of its KMZ (`archive`, unpacked by
 * file name: an archive holding two of one name is refused when unpacked).
 */
function linkedFile(link: GeoJsonProperties, name: string, archive: readonly string[]): string {
  const href = String(link?.href ?? '').trim();
  if (!href) throw linkWithoutHref(name, String(link?.name ?? ''));
  if (/^(https?|ftp):/i.test(href)) throw unreadLink('remote', name, href);
  // another scheme (file:), a drive letter or a path from the root: never inside the archive
  const inArchive = !/^([a-z][a-z0-9+.-]*:|[/\\])/i.test(href);
  const entry = decodedHref(href.split('#')[0]!).replace(/\\/g, '/');
  const wanted = path.posix.basename(entry).toLowerCase();
  const found = archive.find((file) => path.basename(file).toLowerCase() === wanted);
  if (!inArchive || !found) throw unreadLink('missing', name, href);
  return found;
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
 * A MultiGeometry whose parts (those of MultiGeometries within it too) are all points, all
 * lines or all polygons, as the Multi geometry of that kind: GDAL and QGIS write every
 * multi-part feature as a MultiGeometry, which togeojson reads as a GeometryCollection that
 * no layer takes. Parts of different kinds stay a collection, which the import refuses.
 */
function multiOfOneKind(geometry: Geometry | null): Geometry | null {
  if (geometry?.type !== 'GeometryCollection') return geometry;
  const parts = flatten(turfFeature(geometry)).features;
  const kinds = new Set(parts.map((part) => part.geometry.type));
  if (kinds.size !== 1) return geometry;
  return combine(featureCollection(parts)).features[0]!.geometry as Geometry;
}

/** A feature togeojson read, without the style properties an import has no use for. */
function placemarkOf(feature: { properties: GeoJsonProperties; geometry: unknown }, at?: Element) {
  const properties = { ...(feature.properties ?? {}) } as Record<string, unknown>;
  delete properties.styleUrl;
  delete properties.styleHash;
  delete properties.styleMapHash;
  const geometry = multiOfOneKind((feature.geometry ?? null) as Geometry | null);
  return { properties, geometry, pointPositions: at ? mostPointPositions(at) : 0 };
}

/**
 * The placemarks of `file` and then, in link order, of the KML files it links to, each file
 * read once however often it is linked. As togeojson orders a whole document: its placemarks,
 * then its GroundOverlays (held until the end, as the links are: a file holds few).
 */
export async function* readKmlFile(
  file: string,
  archive: readonly string[],
  read: Set<string>,
  signal?: AbortSignal,
): AsyncGenerator<KmlPlacemark> {
  read.add(file);
  // a fatal error still throws (and becomes a refusal); without a handler xmldom would also
  // print every error and warning to the console, before the command line's line
  const parser = new DOMParser({ onError: () => undefined });
  const overlays: Piece[] = [];
  const links: Piece[] = [];
  const ahead = await readAhead(file, signal);
  let schemas = ahead.schemas ?? '';
  const styles = ahead.styles ?? new Map<string, Piece>();
  for await (const pieces of readPieces(file, signal)) {
    for (const run of runsOf(pieces)) {
      const [first] = run as [Piece];
      if (first.kind === 'Schema') schemas += ahead.schemas === undefined ? first.text : '';
      else if (styleKinds.has(first.kind) && !ahead.styles) styles.set(first.id, first);
      else if (first.kind === 'GroundOverlay') overlays.push(first);
      else if (first.kind === 'NetworkLink') links.push(first);
      else {
        const document = piecesDocument(parser, run, schemas + stylesNamed(run, styles));
        // placemarks do not nest: togeojson yields one feature each, in document order
        const elements = document.getElementsByTagName('Placemark');
        let index = 0;
        for (const feature of kmlGen(document)) yield placemarkOf(feature, elements[index++]);
      }
    }
  }
  for (const overlay of overlays) {
    const known = schemas + stylesNamed([overlay], styles);
    for (const feature of kmlGen(piecesDocument(parser, [overlay], known))) {
      yield placemarkOf(feature);
    }
  }
  const linked: string[] = [];
  for (const link of links) {
    for (const feature of kmlGen(piecesDocument(parser, [link], schemas))) {
      if (isNetworkLink(feature))
        linked.push(linkedFile(feature.properties, path.basename(file), archive));
    }
  }
  for (const next of linked) {
    if (!read.has(next)) yield* readKmlFile(next, archive, read, signal);
  }
}
