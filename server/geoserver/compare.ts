import type {
  BoundingBox,
  DesiredDatastore,
  DesiredFeatureType,
  DesiredLayer,
  DesiredLayerGroup,
  DesiredWorkspace,
} from './desired-catalog.js';
import { asList } from './observed-catalog.js';
import { readFingerprint, type GeneratedStyle } from './sld.js';

type Json = Record<string, unknown>;

// Degrees: about 1 cm on the ground, far below what a bounding box needs and above the noise
// of a double going through GeoServer's JSON and back.
const bboxTolerance = 1e-7;

function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && '$' in (value as Json)) return String((value as Json).$);
  return String(value);
}

function sameText(a: unknown, b: unknown): boolean {
  return (textOf(a) ?? '') === (textOf(b) ?? '');
}

function sameStrings(a: unknown[], b: unknown[], ordered: boolean): boolean {
  const left = a.map((x) => textOf(x) ?? '');
  const right = b.map((x) => textOf(x) ?? '');
  if (!ordered) {
    left.sort();
    right.sort();
  }
  return left.length === right.length && left.every((value, i) => value === right[i]);
}

// GeoServer's REST specification does not document how it writes an internationalised text
// in JSON; this reads `{ "id": "…", "en": "…" }`, the shape it accepts. Verified against the
// stand-in only (see README, GeoServer section).
function sameTranslations(desired: Record<string, string>, observed: unknown): boolean {
  if (!observed || typeof observed !== 'object') return false;
  const entries = Object.entries(observed as Json).filter(([, v]) => v !== '' && v !== null);
  const present = new Map(entries.map(([language, text]) => [language, textOf(text)]));
  const wanted = Object.entries(desired);
  return (
    present.size === wanted.length && wanted.every(([lang, text]) => present.get(lang) === text)
  );
}

function sameBox(desired: BoundingBox, observed: unknown): boolean {
  if (!observed || typeof observed !== 'object') return false;
  const box = observed as Json;
  return (['minx', 'miny', 'maxx', 'maxy'] as const).every(
    (key) => Math.abs(Number(box[key]) - desired[key]) <= bboxTolerance,
  );
}

/** The EPSG code a CRS is given as: `EPSG:4326`, or WKT ending in its authority. */
function epsgCodeOf(crs: unknown): string | undefined {
  const text = textOf(crs);
  if (!text) return undefined;
  const code = /^EPSG:(\d+)$/i.exec(text.trim())?.[1];
  if (code) return code;
  return /AUTHORITY\["EPSG",\s*"(\d+)"\]\]\s*$/.exec(text)?.[1];
}

/** A name without its workspace prefix (`cilacap:desa` is `desa` in workspace cilacap). */
function localName(name: unknown, workspace: string): string {
  const text = textOf(name) ?? '';
  return text.startsWith(`${workspace}:`) ? text.slice(workspace.length + 1) : text;
}

/** Names of fields to change, in a fixed order; empty when GeoServer holds what is wanted. */
type Check = [field: string, same: boolean];

function failing(checks: Check[]): string[] {
  return checks.filter(([, same]) => !same).map(([field]) => field);
}

export function workspaceDifferences(desired: DesiredWorkspace, observedUri?: string): string[] {
  return failing([['namespace URI', observedUri === desired.namespaceUri]]);
}

export function datastoreDifferences(desired: DesiredDatastore, observed: Json): string[] {
  const entries = asList((observed.connectionParameters as Json | undefined)?.entry) as Json[];
  const parameters = new Map(entries.map((e) => [String(e['@key']), textOf(e.$)]));
  // TODO: the password cannot be compared, GeoServer returns it encrypted (`crypt1:…`); a
  // changed GEOSERVER_DATASTORE_URL password reaches GeoServer only with another change of the
  // store, so until then GeoServer keeps connecting with the old one. Storing a salted digest
  // of the connection in the store's description would let the plan see the change.
  const changed = Object.entries(desired.parameters).filter(
    ([key, value]) => parameters.get(key) !== value,
  );
  return failing([
    ['description', sameText(observed.description, desired.description)],
    ['enabled', observed.enabled === true || observed.enabled === 'true'],
    ...changed.map(([key]): Check => [`connection ${key}`, false]),
  ]);
}

export function featureTypeDifferences(desired: DesiredFeatureType, observed: Json): string[] {
  const body = desired.body;
  const keywords = asList((observed.keywords as Json | undefined)?.string);
  const responseSrs = asList((observed.responseSRS as Json | undefined)?.string);
  const attributes = asList((observed.attributes as Json | undefined)?.attribute) as Json[];
  const wantedAttributes = body.attributes.attribute.map((a) => a.name);
  return failing([
    ['title', sameText(observed.title, body.title)],
    ['abstract', sameText(observed.abstract, body.abstract)],
    ['internationalTitle', sameTranslations(body.internationalTitle, observed.internationalTitle)],
    [
      'internationalAbstract',
      sameTranslations(body.internationalAbstract, observed.internationalAbstract),
    ],
    ['keywords', sameStrings(keywords, body.keywords.string, false)],
    ['srs', sameText(observed.srs, body.srs)],
    ['nativeCRS', epsgCodeOf(observed.nativeCRS) === epsgCodeOf(body.nativeCRS)],
    ['projectionPolicy', sameText(observed.projectionPolicy, body.projectionPolicy)],
    ['nativeBoundingBox', sameBox(body.nativeBoundingBox, observed.nativeBoundingBox)],
    ['latLonBoundingBox', sameBox(body.latLonBoundingBox, observed.latLonBoundingBox)],
    ['enabled', observed.enabled === true || observed.enabled === 'true'],
    ['responseSRS', sameStrings(responseSrs, body.responseSRS.string, false)],
    [
      'attributes',
      sameStrings(
        attributes.map((a) => a.name),
        wantedAttributes,
        true,
      ),
    ],
  ]);
}

export function layerDifferences(desired: DesiredLayer, observed: Json, workspace: string) {
  const style = observed.defaultStyle as Json | undefined;
  const styleWorkspace = textOf(style?.workspace);
  const sameWorkspace =
    styleWorkspace === workspace || textOf(style?.name)?.startsWith(`${workspace}:`) === true;
  const attribution = observed.attribution as Json | undefined;
  return failing([
    ['defaultStyle', localName(style?.name, workspace) === desired.styleName && sameWorkspace],
    ['attribution', sameText(attribution?.title, desired.attribution)],
  ]);
}

export function styleDifferences(desired: GeneratedStyle, observedSld: string): string[] {
  return failing([['content', readFingerprint(observedSld) === desired.fingerprint]]);
}

function publishedNames(observed: Json, workspace: string): string[] {
  const published = asList((observed.publishables as Json | undefined)?.published) as Json[];
  return published.map((entry) => localName(entry?.name, workspace));
}

function styleNames(observed: Json, workspace: string): string[] {
  const styles = asList((observed.styles as Json | undefined)?.style);
  return styles.map((style) =>
    localName(typeof style === 'object' ? (style as Json)?.name : style, workspace),
  );
}

export function layerGroupDifferences(
  desired: DesiredLayerGroup,
  observed: Json,
  workspace: string,
): string[] {
  const body = desired.body;
  const wantedLayers = body.publishables.published.map((p) => localName(p.name, workspace));
  const wantedStyles = body.styles.style.map((s) => localName(s.name, workspace));
  return failing([
    ['title', sameText(observed.title, body.title)],
    ['abstract', sameText(observed.abstractTxt, body.abstractTxt)],
    ['internationalTitle', sameTranslations(body.internationalTitle, observed.internationalTitle)],
    [
      'internationalAbstract',
      sameTranslations(body.internationalAbstract, observed.internationalAbstract),
    ],
    ['mode', sameText(observed.mode, body.mode)],
    ['layers', sameStrings(publishedNames(observed, workspace), wantedLayers, true)],
    ['styles', sameStrings(styleNames(observed, workspace), wantedStyles, true)],
    ['bounds', sameBox(body.bounds, observed.bounds)],
  ]);
}
