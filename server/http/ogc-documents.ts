import type { AttributeDefinition, LayerDefinition } from '../../layers/index.js';
import { textMaxLength } from '../../layers/validate-attributes.js';
import { crs84, supportedCrsUris } from './crs.js';

const features1 = 'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf';
const features3 = 'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf';
const cql2 = 'http://www.opengis.net/spec/cql2/1.0/conf';

/**
 * Conformance classes this server implements; advertise only what is implemented, because
 * clients send whatever is advertised. Not offered: accent-insensitive comparison (needs the
 * unaccent extension), array functions (no layer has arrays) and custom functions.
 * Routers that implement more (Part 4 editing) append their classes here at load.
 */
export const conformanceClasses = [
  `${features1}/core`,
  `${features1}/oas30`,
  `${features1}/geojson`,
  `${features1}/html`,
  'http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs',
  `${features3}/queryables`,
  `${features3}/queryables-query-parameters`,
  `${features3}/filter`,
  `${features3}/features-filter`,
  `${cql2}/cql2-text`,
  `${cql2}/cql2-json`,
  `${cql2}/basic-cql2`,
  `${cql2}/advanced-comparison-operators`,
  `${cql2}/case-insensitive-comparison`,
  `${cql2}/basic-spatial-functions`,
  `${cql2}/basic-spatial-functions-plus`,
  `${cql2}/spatial-functions`,
  `${cql2}/temporal-functions`,
  `${cql2}/property-property`,
  `${cql2}/arithmetic`,
];

/** The media type of the OpenAPI document. */
export const openApiMediaType = 'application/vnd.oai.openapi+json;version=3.0';

/** The link relation of queryables (OGC API Features Part 3). */
export const queryablesRel = 'http://www.opengis.net/def/rel/ogc/1.0/queryables';

/** A link object of OGC API documents. */
export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
}

/** The landing page document. */
export function landingDocument(base: string, title: string) {
  const links: Link[] = [
    { href: `${base}/`, rel: 'self', type: 'application/json', title: 'This document' },
    {
      href: `${base}/?f=html`,
      rel: 'alternate',
      type: 'text/html',
      title: 'This document as HTML',
    },
    { href: `${base}/api`, rel: 'service-desc', type: openApiMediaType, title: 'OpenAPI 3.0' },
    { href: `${base}/api?f=html`, rel: 'service-doc', type: 'text/html', title: 'API reference' },
    {
      href: `${base}/conformance`,
      rel: 'conformance',
      type: 'application/json',
      title: 'Conformance',
    },
    { href: `${base}/collections`, rel: 'data', type: 'application/json', title: 'Collections' },
  ];
  return {
    title,
    description:
      'Simpul: the regency geospatial node. Layers as OGC API Features and vector tiles.',
    links,
  };
}

/** What a collection document says about a layer's contents: its extents, when known. */
export interface LayerExtents {
  /** [minLon, minLat, maxLon, maxLat] in CRS84, or null when the layer is empty. */
  spatial: number[] | null;
  /** [first, last] value of the time attribute, or null. */
  temporal?: (string | null)[] | null;
}

function collectionLinks(base: string, layer: LayerDefinition): Link[] {
  const self = `${base}/collections/${layer.id}`;
  return [
    { href: self, rel: 'self', type: 'application/json', title: layer.titleEn },
    { href: `${self}?f=html`, rel: 'alternate', type: 'text/html', title: layer.titleEn },
    { href: `${self}/items`, rel: 'items', type: 'application/geo+json', title: 'Features' },
    { href: `${self}/items?f=html`, rel: 'items', type: 'text/html', title: 'Features as HTML' },
    {
      href: `${self}/queryables`,
      rel: queryablesRel,
      type: 'application/schema+json',
      title: 'Queryables',
    },
    {
      href: `${self}/schema`,
      rel: 'describedby',
      type: 'application/schema+json',
      title: 'Schema',
    },
    {
      href: `${base}/tiles/${layer.id}.json`,
      rel: 'tiles',
      type: 'application/json',
      title: 'TileJSON',
    },
  ];
}

/** One collection's description, with its extents in CRS84 and the CRSs it can be served in. */
export function collectionDocument(base: string, layer: LayerDefinition, extents: LayerExtents) {
  const sampleNote = layer.metadata.sample
    ? ' CONTOH / SAMPLE: the features are invented sample data, not the real layer.'
    : '';
  const extent: Record<string, unknown> = {
    spatial: { bbox: extents.spatial ? [extents.spatial] : [], crs: crs84.uri },
  };
  if (layer.timeAttribute) {
    extent.temporal = {
      interval: [extents.temporal ?? [null, null]],
      trs: 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian',
    };
  }
  return {
    id: layer.id,
    title: `${layer.titleId} / ${layer.titleEn}`,
    description: `${layer.metadata.abstractId} ${layer.metadata.abstractEn}${sampleNote}`,
    keywords: layer.metadata.keywords,
    itemType: 'feature',
    extent,
    crs: supportedCrsUris,
    storageCrs: crs84.uri,
    links: collectionLinks(base, layer),
  };
}

const geometryFormats: Record<LayerDefinition['geometry']['type'], string> = {
  Point: 'geometry-point',
  MultiPoint: 'geometry-multipoint',
  MultiLineString: 'geometry-multilinestring',
  MultiPolygon: 'geometry-multipolygon',
};

/** The JSON Schema of one attribute: type, range, coded values with both labels, unit. */
export function attributeSchema(attribute: AttributeDefinition): Record<string, unknown> {
  const schema: Record<string, unknown> = { title: `${attribute.titleId} / ${attribute.titleEn}` };
  if (attribute.description) schema.description = attribute.description;
  const types = {
    text: { type: 'string' },
    integer: { type: 'integer' },
    number: { type: 'number' },
    boolean: { type: 'boolean' },
    date: { type: 'string', format: 'date' },
    timestamp: { type: 'string', format: 'date-time' },
  } as const;
  Object.assign(schema, types[attribute.type]);

  if (attribute.domain) {
    schema.oneOf = attribute.domain.map((v) => ({
      const: v.code,
      title: `${v.labelId} / ${v.labelEn}`,
    }));
  }
  if (attribute.min !== undefined) schema.minimum = attribute.min;
  if (attribute.max !== undefined) schema.maximum = attribute.max;
  const maxLength = textMaxLength(attribute);
  if (maxLength !== undefined) schema.maxLength = maxLength;
  if (attribute.unit) schema['x-ogc-unit'] = attribute.unit;
  if (attribute.computed) schema.readOnly = true;
  return schema;
}

function layerSchema(base: string, layer: LayerDefinition, kind: 'queryables' | 'schema') {
  const properties: Record<string, unknown> = {
    id: { title: 'Id', type: 'integer', 'x-ogc-role': 'id', readOnly: true },
  };
  for (const attribute of layer.attributes) properties[attribute.name] = attributeSchema(attribute);
  properties.geometry = {
    title: 'Geometri / Geometry',
    format: geometryFormats[layer.geometry.type],
    'x-ogc-role': 'primary-geometry',
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${base}/collections/${layer.id}/${kind}`,
    type: 'object',
    title: `${layer.titleId} / ${layer.titleEn}`,
    properties,
    additionalProperties: false,
  };
}

/**
 * The queryables of a layer (Part 3): every attribute, `id` and `geometry`, with declared
 * domains as `oneOf` of `const` codes titled in both languages.
 */
export function queryablesDocument(base: string, layer: LayerDefinition) {
  return layerSchema(base, layer, 'queryables');
}

/** The schema of a layer's features (the `describedby` link; Part 5 returnables). */
export function schemaDocument(base: string, layer: LayerDefinition) {
  const schema = layerSchema(base, layer, 'schema');
  const required = layer.attributes.filter((a) => a.required).map((a) => a.name);
  return { ...schema, required, additionalProperties: true };
}
