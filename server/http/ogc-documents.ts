import type { LayerDefinition } from '../../layers/index.js';

const crs84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';

/** Conformance classes this server implements; advertise only what is implemented. */
export const conformanceClasses = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html',
];

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

/** One collection's description, with its extent in CRS84 (null when the layer is empty). */
export function collectionDocument(base: string, layer: LayerDefinition, extent: number[] | null) {
  const self = `${base}/collections/${layer.id}`;
  const sampleNote = layer.metadata.sample
    ? ' CONTOH / SAMPLE: the features are invented sample data, not the real layer.'
    : '';
  return {
    id: layer.id,
    title: `${layer.titleId} / ${layer.titleEn}`,
    description: `${layer.metadata.abstractId} ${layer.metadata.abstractEn}${sampleNote}`,
    keywords: layer.metadata.keywords,
    itemType: 'feature',
    extent: { spatial: { bbox: extent ? [extent] : [], crs: crs84 } },
    crs: [crs84],
    storageCrs: crs84,
    links: [
      { href: self, rel: 'self', type: 'application/json', title: layer.titleEn },
      { href: `${self}?f=html`, rel: 'alternate', type: 'text/html', title: layer.titleEn },
      { href: `${self}/items`, rel: 'items', type: 'application/geo+json', title: 'Features' },
      { href: `${self}/items?f=html`, rel: 'items', type: 'text/html', title: 'Features as HTML' },
      {
        href: `${base}/tiles/${layer.id}.json`,
        rel: 'tiles',
        type: 'application/json',
        title: 'TileJSON',
      },
    ] satisfies Link[],
  };
}
