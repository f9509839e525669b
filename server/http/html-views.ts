import type { LayerDefinition } from '../../layers/index.js';
import {
  escapeHtml,
  renderHtmlPage,
  renderLink,
  renderPropertyTable,
  renderTable,
} from './html-page.js';
import type { Link } from './ogc-documents.js';
import { renderSvgMap } from './svg-map.js';

/**
 * The HTML pages of the feature API (Part 1 HTML conformance class): what a person sees when
 * following the API's links in a browser. Texts are Indonesian first, then English.
 */

interface HtmlFeature {
  id: number;
  geometry: unknown;
  properties: Record<string, unknown>;
}

interface CollectionSummary {
  id: string;
  title: string;
  description: string;
}

function attributeTitle(layer: LayerDefinition, name: string): string {
  const attribute = layer.attributes.find((a) => a.name === name);
  if (!attribute) return name;
  const unit = attribute.unit ? ` (${attribute.unit})` : '';
  return `${attribute.titleId} / ${attribute.titleEn}${unit}`;
}

/** A coded value shown with its label, e.g. `rusak_ringan (Rusak ringan / Light damage)`. */
function displayValue(layer: LayerDefinition, name: string, value: unknown): string {
  const domain = layer.attributes.find((a) => a.name === name)?.domain;
  const coded = domain?.find((v) => v.code === value);
  if (coded) return `${String(value)} (${coded.labelId} / ${coded.labelEn})`;
  // Computed areas and lengths carry 13 decimals; a person reads two.
  if (typeof value === 'number' && !Number.isInteger(value))
    return String(Number(value.toFixed(2)));
  return String(value ?? '');
}

/** The landing page with its links. */
export function renderLandingHtml(description: string, links: Link[]): string {
  const items = links
    .filter((l) => l.rel !== 'self' && l.rel !== 'alternate')
    .map((l) => `<li>${renderLink(l.href, l.title ?? l.rel)}</li>`);
  return renderHtmlPage('Simpul', `<p>${escapeHtml(description)}</p><ul>${items.join('')}</ul>`);
}

/** The conformance classes as a list. */
export function renderConformanceHtml(classes: readonly string[]): string {
  const items = classes.map((c) => `<li><code>${escapeHtml(c)}</code></li>`).join('');
  return renderHtmlPage('Kesesuaian / Conformance', `<ul>${items}</ul>`);
}

/** Every readable collection with a link to its page and its features. */
export function renderCollectionsHtml(collections: CollectionSummary[]): string {
  const rows = collections.map((c) => [
    { html: renderLink(`/collections/${c.id}?f=html`, c.id) },
    c.title,
    c.description,
    { html: renderLink(`/collections/${c.id}/items?f=html`, 'Fitur / Features') },
  ]);
  const table = renderTable(['Id', 'Judul / Title', 'Keterangan / Description', ''], rows);
  return renderHtmlPage('Koleksi / Collections', table);
}

/** One collection: description, extent, CRSs, attributes with their domains, links. */
export function renderCollectionHtml(
  layer: LayerDefinition,
  document: { title: string; description: string; crs: string[]; extent: unknown },
): string {
  const rows = layer.attributes.map((a) => [
    a.name,
    attributeTitle(layer, a.name),
    a.type,
    a.domain?.map((v) => `${v.code}: ${v.labelId} / ${v.labelEn}`).join('; ') ?? '',
  ]);
  const base = `/collections/${layer.id}`;
  const links = [
    renderLink(`${base}/items?f=html`, 'Fitur / Features'),
    renderLink(`${base}/items`, 'GeoJSON'),
    renderLink(`${base}/queryables?f=html`, 'Queryables'),
    renderLink(`${base}/schema`, 'JSON Schema'),
  ];
  const sample = layer.metadata.sample
    ? '<p class="note">CONTOH / SAMPLE: data contoh, bukan data resmi / sample data, not the real layer.</p>'
    : '';
  const body =
    `${sample}<p>${escapeHtml(document.description)}</p>` +
    `<nav class="pages">${links.join('')}</nav>` +
    `<h2>Atribut / Attributes</h2>${renderTable(['Nama / Name', 'Judul / Title', 'Tipe / Type', 'Kode / Codes'], rows)}` +
    `<h2>Sistem koordinat / CRS</h2><ul>${document.crs.map((c) => `<li><code>${escapeHtml(c)}</code></li>`).join('')}</ul>` +
    `<p>Sumber / Source: ${escapeHtml(layer.metadata.source)}. Lisensi / Licence: ${escapeHtml(layer.metadata.licence)}.</p>`;
  return renderHtmlPage(document.title, body);
}

/** A page of features: paging links, a small map and a table of the returned attributes. */
export function renderItemsHtml(
  layer: LayerDefinition,
  features: HtmlFeature[],
  paging: { next?: string; prev?: string; numberMatched?: number },
): string {
  const base = `/collections/${layer.id}/items`;
  const names = Object.keys(features[0]?.properties ?? {});
  const rows = features.map((f) => [
    { html: renderLink(`${base}/${f.id}?f=html`, String(f.id)) },
    ...names.map((n) => displayValue(layer, n, f.properties[n])),
  ]);
  const map = renderSvgMap(
    features.map((f) => ({
      geometry: f.geometry,
      href: `${base}/${f.id}?f=html`,
      label: String(f.properties[layer.nameAttribute ?? ''] ?? f.id),
    })),
  );
  const nav = [
    paging.prev ? renderLink(paging.prev, '« Sebelumnya / Previous') : '',
    paging.next ? renderLink(paging.next, 'Berikutnya / Next »') : '',
  ].join('');
  const count = paging.numberMatched === undefined ? '' : ` dari / of ${paging.numberMatched}`;
  const table = renderTable(['Id', ...names.map((n) => attributeTitle(layer, n))], rows);
  const body =
    `<p>${features.length} fitur / features${count}. ` +
    `${renderLink(`/collections/${layer.id}?f=html`, 'Tentang koleksi / About the collection')}</p>` +
    `${map}<nav class="pages">${nav}</nav>${table}`;
  return renderHtmlPage(`${layer.titleId} / ${layer.titleEn}`, body);
}

/** One feature: its map and its attributes with titles, units and coded labels. */
export function renderItemHtml(layer: LayerDefinition, feature: HtmlFeature): string {
  const name = feature.properties[layer.nameAttribute ?? ''];
  const rows: [string, unknown][] = Object.keys(feature.properties).map((n) => [
    attributeTitle(layer, n),
    displayValue(layer, n, feature.properties[n]),
  ]);
  const self = `/collections/${layer.id}/items/${feature.id}`;
  const map = renderSvgMap([
    { geometry: feature.geometry, href: `${self}?f=html`, label: String(name ?? feature.id) },
  ]);
  const back = renderLink(
    `/collections/${layer.id}/items?f=html`,
    `« ${layer.titleId} / ${layer.titleEn}`,
  );
  const title = `${layer.titleId} ${feature.id}${name ? ` · ${String(name)}` : ''}`;
  const body = `<p>${back} · ${renderLink(self, 'GeoJSON')}</p>${map}${renderPropertyTable([['Id', feature.id], ...rows])}`;
  return renderHtmlPage(title, body);
}

/** The queryables of a layer as a table. */
export function renderQueryablesHtml(
  layer: LayerDefinition,
  properties: Record<string, Record<string, unknown>>,
) {
  const rows = Object.entries(properties).map(([name, schema]) => {
    const codes = (schema.oneOf as { const: string; title: string }[] | undefined)
      ?.map((v) => `${v.const}: ${v.title}`)
      .join('; ');
    return [name, schema.title ?? '', schema.format ?? schema.type ?? '', codes ?? ''];
  });
  const table = renderTable(['Nama / Name', 'Judul / Title', 'Tipe / Type', 'Kode / Codes'], rows);
  const hint =
    "<p>Contoh / Example: <code>filter=name LIKE 'K%'</code>, " +
    '<code>filter=S_INTERSECTS(geometry, POINT(109.0 -7.7))</code></p>';
  return renderHtmlPage(`Queryables · ${layer.titleId} / ${layer.titleEn}`, hint + table);
}

interface OpenApiParameter {
  name?: string;
  in?: string;
  description?: string;
  $ref?: string;
}

/** A readable view of the OpenAPI document: every path, its operations and parameters. */
export function renderOpenApiHtml(document: Record<string, unknown>): string {
  const components = (document.components as { parameters: Record<string, OpenApiParameter> })
    .parameters;
  const resolve = (p: OpenApiParameter) =>
    p.$ref ? (components[p.$ref.split('/').pop()!] ?? p) : p;
  const sections = Object.entries(document.paths as Record<string, Record<string, unknown>>).map(
    ([path, operations]) => {
      const ops = Object.entries(operations).map(([method, raw]) => {
        const op = raw as { summary?: string; parameters?: OpenApiParameter[] };
        const params = (op.parameters ?? [])
          .map(resolve)
          .map((p) => [p.name ?? '', p.in ?? '', p.description ?? '']);
        const table = params.length
          ? renderTable(['Parameter', 'In', 'Keterangan / Description'], params)
          : '';
        return (
          `<h3><code>${escapeHtml(method.toUpperCase())} ${escapeHtml(path)}</code></h3>` +
          `<p>${escapeHtml(op.summary ?? '')}</p>${table}`
        );
      });
      return ops.join('');
    },
  );
  const intro =
    `<p>${escapeHtml((document.info as { description?: string }).description ?? '')} ` +
    `${renderLink('/api?f=json', 'OpenAPI 3.0 JSON')}</p>`;
  return renderHtmlPage('Referensi API / API reference', intro + sections.join(''));
}
