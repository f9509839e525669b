import type {
  AttributeType,
  GeometryType,
  LayerDefinition,
  ThemeDefinition,
} from '../../layers/types.js';
import type { RegencyProfile } from '../../seeds/types/seed-source.js';
import type { PublicationSettings } from './settings.js';
import { generateSld, type GeneratedStyle } from './sld.js';

/** `[minLon, minLat, maxLon, maxLat]` in EPSG:4326. */
export type Extent = [number, number, number, number];

/** A GeoServer bounding box as its REST API writes it. */
export interface BoundingBox {
  minx: number;
  maxx: number;
  miny: number;
  maxy: number;
  crs: string;
}

export interface DesiredWorkspace {
  name: string;
  namespaceUri: string;
}

export interface DesiredDatastore {
  name: string;
  description: string;
  /** Connection parameters except the password, which GeoServer returns encrypted. */
  parameters: Record<string, string>;
  password: string;
}

/** The `featureType` object POSTed and PUT. */
export type FeatureTypeBody = ReturnType<typeof featureTypeBody>;

export interface DesiredFeatureType {
  name: string;
  body: FeatureTypeBody;
}

export interface DesiredLayer {
  name: string;
  styleName: string;
  /** WMS attribution: where the data comes from and under which licence. */
  attribution: string;
}

/** The `layerGroup` object POSTed and PUT. */
export type LayerGroupBody = ReturnType<typeof layerGroupBody>;

export interface DesiredLayerGroup {
  name: string;
  body: LayerGroupBody;
}

/** Everything Simpul wants in its GeoServer workspace, derived from the declarations. */
export interface DesiredCatalog {
  workspace: DesiredWorkspace;
  datastore: DesiredDatastore;
  styles: GeneratedStyle[];
  featureTypes: DesiredFeatureType[];
  layers: DesiredLayer[];
  layerGroups: DesiredLayerGroup[];
  /** Layer group names Simpul owns (one per declared theme), published or not. */
  themeIds: string[];
}

/** What the declarations and the database say about the publication. */
export interface PublicationInput {
  layers: readonly LayerDefinition[];
  themes: readonly ThemeDefinition[];
  regency: RegencyProfile;
  settings: PublicationSettings;
  /** Each layer's extent from the database, null when it has no features. */
  extents: ReadonlyMap<string, Extent | null>;
}

const bindings: Record<AttributeType, string> = {
  text: 'java.lang.String',
  integer: 'java.lang.Integer',
  number: 'java.lang.Double',
  boolean: 'java.lang.Boolean',
  date: 'java.sql.Date',
  timestamp: 'java.sql.Timestamp',
};

const geometryBindings: Record<GeometryType, string> = {
  Point: 'org.locationtech.jts.geom.Point',
  MultiPoint: 'org.locationtech.jts.geom.MultiPoint',
  MultiLineString: 'org.locationtech.jts.geom.MultiLineString',
  MultiPolygon: 'org.locationtech.jts.geom.MultiPolygon',
};

/** Words in the description of every data store Simpul makes. */
export const simpulStoreMarker = 'managed by Simpul';

// Indonesia, for a regency whose layers are all still empty.
const indonesia: Extent = [95, -11, 141, 6];

/** The layers to publish: marked for it (default: public ones), public unless configured. */
export function selectPublishedLayers(
  layers: readonly LayerDefinition[],
  publishNonPublic: boolean,
): LayerDefinition[] {
  return layers.filter((layer) => {
    const isPublic = layer.access.read === 'public';
    const marked = layer.publish ?? isPublic;
    return marked && (isPublic || publishNonPublic);
  });
}

function boundingBox([minx, miny, maxx, maxy]: Extent): BoundingBox {
  return { minx, maxx, miny, maxy, crs: 'EPSG:4326' };
}

function unionExtent(extents: Extent[]): Extent | undefined {
  if (extents.length === 0) return undefined;
  return [0, 1, 2, 3].map((i) =>
    (i < 2 ? Math.min : Math.max)(...extents.map((extent) => extent[i]!)),
  ) as Extent;
}

// GeoServer keeps a keyword's language inside its text: `kata\@language=id\;`.
function keyword(text: string, language?: 'id' | 'en'): string {
  const clean = text.replace(/\\/g, '');
  return language ? `${clean}\\@language=${language}\\;` : clean;
}

function layerKeywords(layer: LayerDefinition, theme: ThemeDefinition | undefined): string[] {
  const words = [
    ...layer.metadata.keywords.map((word) => keyword(word)),
    keyword(layer.titleId, 'id'),
    keyword(layer.titleEn, 'en'),
    ...(theme ? [keyword(theme.titleId, 'id'), keyword(theme.titleEn, 'en')] : []),
  ];
  return [...new Set(words)];
}

function layerAbstract(layer: LayerDefinition, language: 'id' | 'en'): string {
  const { metadata } = layer;
  const text = language === 'id' ? metadata.abstractId : metadata.abstractEn;
  const sample =
    language === 'id' ? ' Data contoh, bukan data resmi.' : ' Sample data, not real data.';
  const source = language === 'id' ? 'Sumber' : 'Source';
  const licence = language === 'id' ? 'Lisensi' : 'Licence';
  return `${text}${metadata.sample ? sample : ''} ${source}: ${metadata.source}. ${licence}: ${metadata.licence}.`;
}

function featureTypeAttributes(layer: LayerDefinition) {
  const attribute = (name: string, binding: string) => ({
    name,
    minOccurs: 0,
    maxOccurs: 1,
    nillable: true,
    binding,
  });
  // Only declared attributes: the bookkeeping columns (version, updated_by…) stay private.
  // GeoServer would create a missing table from this list; Simpul's tables exist once
  // migrated, and the store's role should have no CREATE right on the schema anyway.
  return [
    attribute('id', 'java.lang.Long'),
    ...layer.attributes.map((a) => attribute(a.name, bindings[a.type])),
    attribute('geom', geometryBindings[layer.geometry.type]),
  ];
}

function featureTypeBody(
  layer: LayerDefinition,
  theme: ThemeDefinition | undefined,
  extent: Extent,
) {
  const box = boundingBox(extent);
  return {
    name: layer.id,
    nativeName: layer.id,
    title: layer.titleId,
    abstract: layerAbstract(layer, 'id'),
    internationalTitle: { id: layer.titleId, en: layer.titleEn },
    internationalAbstract: { id: layerAbstract(layer, 'id'), en: layerAbstract(layer, 'en') },
    keywords: { string: layerKeywords(layer, theme) },
    nativeCRS: `EPSG:${layer.geometry.srid}`,
    srs: `EPSG:${layer.geometry.srid}`,
    projectionPolicy: 'FORCE_DECLARED',
    nativeBoundingBox: box,
    latLonBoundingBox: box,
    enabled: true,
    // WFS offers the CRSs the feature API offers: WGS 84, Web Mercator, UTM 49S.
    responseSRS: { string: ['4326', '3857', '32749'] },
    overridingServiceSRS: true,
    attributes: { attribute: featureTypeAttributes(layer) },
  };
}

function layerGroupBody(
  theme: ThemeDefinition,
  members: LayerDefinition[],
  input: PublicationInput,
  extent: Extent,
) {
  const { workspace } = input.settings;
  const names = members.map((layer) => `${workspace}:${layer.id}`);
  const titlesId = members.map((layer) => layer.titleId).join(', ');
  const titlesEn = members.map((layer) => layer.titleEn).join(', ');
  const abstractId = `Tema ${theme.titleId} ${input.regency.name}: ${titlesId}.`;
  const abstractEn = `${theme.titleEn} theme of ${input.regency.name}: ${titlesEn}.`;
  return {
    name: theme.id,
    mode: 'SINGLE',
    title: theme.titleId,
    abstractTxt: abstractId,
    internationalTitle: { id: theme.titleId, en: theme.titleEn },
    internationalAbstract: { id: abstractId, en: abstractEn },
    workspace: { name: workspace },
    // First drawn first: the web map's drawing order, lowest `order` at the bottom.
    publishables: { published: names.map((name) => ({ '@type': 'layer', name })) },
    styles: { style: names.map((name) => ({ name })) },
    bounds: boundingBox(extent),
  };
}

function datastoreOf(input: PublicationInput): DesiredDatastore {
  const { settings, regency } = input;
  const db = settings.datastore;
  return {
    name: settings.datastoreName,
    description: `Simpul database of ${regency.name} (${simpulStoreMarker}: changes here are undone)`,
    parameters: {
      dbtype: 'postgis',
      host: db.host,
      port: db.port,
      database: db.database,
      schema: db.schema,
      user: db.user,
      namespace: settings.namespaceUri,
      'Expose primary keys': 'true',
      // Values travel as bind parameters, never spliced into SQL.
      preparedStatements: 'true',
      'validate connections': 'true',
    },
    password: db.password,
  };
}

function orderOf(layer: LayerDefinition): number {
  return layer.order ?? 0;
}

/** The catalog Simpul wants in GeoServer for these declarations, settings and extents. */
export function buildDesiredCatalog(input: PublicationInput): DesiredCatalog {
  const { settings, themes } = input;
  const published = selectPublishedLayers(input.layers, settings.publishNonPublic);
  const known = [...input.extents.values()].filter((e): e is Extent => e !== null);
  const fallback = unionExtent(known) ?? indonesia;
  const extentOf = (layer: LayerDefinition) => input.extents.get(layer.id) ?? fallback;
  const themeOf = (layer: LayerDefinition) => themes.find((theme) => theme.id === layer.theme);

  const layerGroups = themes.flatMap((theme) => {
    const members = published
      .filter((layer) => layer.theme === theme.id)
      .sort((a, b) => orderOf(a) - orderOf(b));
    if (members.length === 0) return [];
    const extent = unionExtent(members.map(extentOf)) ?? fallback;
    return [{ name: theme.id, body: layerGroupBody(theme, members, input, extent) }];
  });

  return {
    workspace: { name: settings.workspace, namespaceUri: settings.namespaceUri },
    datastore: datastoreOf(input),
    styles: published.map((layer) => generateSld(layer)),
    featureTypes: published.map((layer) => ({
      name: layer.id,
      body: featureTypeBody(layer, themeOf(layer), extentOf(layer)),
    })),
    layers: published.map((layer) => ({
      name: layer.id,
      styleName: layer.id,
      attribution: `${layer.metadata.source} (${layer.metadata.licence})`,
    })),
    layerGroups,
    themeIds: themes.map((theme) => theme.id),
  };
}
