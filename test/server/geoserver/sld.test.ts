import fs from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { desa } from '../../../layers/administrative/desa.js';
import { kecamatan } from '../../../layers/administrative/kecamatan.js';
import { layerDefinitions } from '../../../layers/index.js';
import type { LayerDefinition } from '../../../layers/types.js';
import {
  generateSld,
  readFingerprint,
  scaleDenominatorOfZoom,
} from '../../../server/geoserver/sld.js';
import { withOpacity } from '../../../web/map/symbolizer.js';
import { listLegendEntries } from '../../../web/legend/legend-entries.js';

const schemaDir = path.resolve(import.meta.dirname, '../../fixtures/sld-1.0');
const schemaFiles = fs.readdirSync(schemaDir).map((fileName) => ({
  fileName,
  contents: fs.readFileSync(path.join(schemaDir, fileName), 'utf8'),
}));

/** Validates against the SLD 1.0 schema (StyledLayerDescriptor.xsd 1.0.0.2) with libxml2. */
async function validateSld(sld: string) {
  const schema = schemaFiles.find((file) => file.fileName === 'StyledLayerDescriptor.xsd')!;
  const preload = schemaFiles.filter((file) => file !== schema);
  return validateXML({ xml: { fileName: 'style.sld', contents: sld }, schema, preload });
}

const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'Rule' });

function rulesOf(sld: string) {
  const document = parser.parse(sld);
  const styles = [document.StyledLayerDescriptor.NamedLayer.UserStyle.FeatureTypeStyle].flat();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return styles[0].Rule as Record<string, any>[];
}

function cssValue(parameters: unknown, name: string): string | undefined {
  const list = [parameters].flat() as { '@_name': string; '#text': unknown }[];
  const found = list.find((parameter) => parameter['@_name'] === name);
  return found === undefined ? undefined : String(found['#text']);
}

const roadSegment: LayerDefinition = {
  ...kecamatan,
  id: 'sample_road',
  theme: 'roads',
  titleId: 'Ruas jalan & jembatan <uji>',
  titleEn: 'Road segments',
  geometry: { type: 'MultiLineString', srid: 4326 },
  attributes: [
    { name: 'name', type: 'text', titleId: 'Nama', titleEn: 'Name' },
    {
      name: 'condition',
      type: 'text',
      titleId: 'Kondisi',
      titleEn: 'Condition',
      domain: [
        { code: 'baik', labelId: 'Baik', labelEn: 'Good', color: '#1a9641' },
        { code: 'rusak_berat', labelId: 'Rusak berat', labelEn: 'Poor', color: '#d7191c' },
      ],
    },
    {
      name: 'status',
      type: 'text',
      titleId: 'Status',
      titleEn: 'Status',
      domain: [
        { code: 'nasional', labelId: 'Nasional', labelEn: 'National', strokeWidth: 5 },
        { code: 'kabupaten', labelId: 'Kabupaten', labelEn: 'Regency', strokeWidth: 3 },
        { code: 'desa', labelId: 'Desa', labelEn: 'Village' },
      ],
    },
  ],
  style: { stroke: '#555555', strokeWidth: 2, classifyBy: 'condition', widthBy: 'status' },
};

const evacuationPoint: LayerDefinition = {
  ...kecamatan,
  id: 'sample_shelter',
  geometry: { type: 'Point', srid: 4326 },
  attributes: [{ name: 'name', type: 'text', titleId: 'Nama', titleEn: 'Name' }],
  style: { stroke: '#ffffff', fill: '#0b5394', pointRadius: 6, labelAttribute: 'name' },
};

describe('SLD generated from a layer declaration', () => {
  it.each([...layerDefinitions, roadSegment, evacuationPoint].map((l) => [l.id, l] as const))(
    'is valid SLD 1.0 for %s',
    async (_id, layer) => {
      const { sld } = generateSld(layer);

      const result = await validateSld(sld);

      expect(result.errors).toEqual([]);
      expect(result.valid).toBe(true);
    },
  );

  it('is checked by a validator that rejects a broken SLD', async () => {
    const { sld } = generateSld(desa);
    const broken = sld.replace('<FeatureTypeStyle>', '<FeatureTypeStyle><Stroke/>');

    const result = await validateSld(broken);

    expect(result.valid).toBe(false);
  });

  it('has one rule per coloured class of the web legend, with its colour and opacity', () => {
    const rules = rulesOf(generateSld(desa).sld);
    const legend = listLegendEntries(desa);

    const classRules = rules.filter((rule) => rule['ogc:Filter']);
    expect(classRules.map((rule) => rule.Title)).toEqual(
      legend.map((entry) => `${entry.labelId} / ${entry.labelEn}`),
    );
    classRules.forEach((rule, i) => {
      const fill = rule.PolygonSymbolizer.Fill.CssParameter;
      const hex = cssValue(fill, 'fill')!;
      expect(withOpacity(hex, Number(cssValue(fill, 'fill-opacity')))).toBe(
        legend[i]!.symbolizer.fill,
      );
      expect(cssValue(rule.PolygonSymbolizer.Stroke.CssParameter, 'stroke-dasharray')).toBe('4 3');
    });
    expect(rules.some((rule) => rule.ElseFilter === '')).toBe(true);
  });

  it('draws lines by colour class and width class together, as the web map does', () => {
    const rules = rulesOf(generateSld(roadSegment).sld);

    const poorNational = rules.find(
      (rule) => rule.Title === 'Rusak berat / Poor · Nasional / National',
    )!;
    const stroke = poorNational.LineSymbolizer.Stroke.CssParameter;
    expect(rules).toHaveLength(3 * 3);
    expect(cssValue(stroke, 'stroke')).toBe('#d7191c');
    expect(cssValue(stroke, 'stroke-width')).toBe('5');
    expect(poorNational['ogc:Filter']['ogc:And']['ogc:PropertyIsEqualTo']).toHaveLength(2);
  });

  it('draws points as circles of the declared radius with a label above them', () => {
    const sld = generateSld(evacuationPoint).sld;

    const [marker, label] = [rulesOf(sld)[0]!, parser.parse(sld)];
    const labelRule = label.StyledLayerDescriptor.NamedLayer.UserStyle.FeatureTypeStyle[1].Rule[0];
    expect(marker.PointSymbolizer.Graphic.Mark.WellKnownName).toBe('circle');
    expect(marker.PointSymbolizer.Graphic.Size).toBe(12);
    expect(labelRule.TextSymbolizer.Label['ogc:PropertyName']).toBe('name');
    expect(labelRule.TextSymbolizer.LabelPlacement.PointPlacement.Displacement.DisplacementY).toBe(
      12,
    );
  });

  it('shows the layer in its zoom range and labels from labelMinZoom, as scale denominators', () => {
    const rules = rulesOf(generateSld(kecamatan).sld);

    expect(Number(rules[0]!.MaxScaleDenominator)).toBeCloseTo(scaleDenominatorOfZoom(7), 1);
    expect(Number(rules[0]!.MinScaleDenominator)).toBeCloseTo(scaleDenominatorOfZoom(20), 1);
  });

  it('escapes titles that hold XML characters', async () => {
    const { sld } = generateSld(roadSegment);

    expect(sld).toContain('Ruas jalan &amp; jembatan &lt;uji&gt;');
    expect((await validateSld(sld)).valid).toBe(true);
  });

  it('carries a fingerprint that changes with the style and only with it', () => {
    const first = generateSld(desa);
    const again = generateSld({ ...desa });
    const recoloured = generateSld({ ...desa, style: { ...desa.style, stroke: '#000000' } });

    expect(readFingerprint(first.sld)).toBe(first.fingerprint);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(recoloured.fingerprint).not.toBe(first.fingerprint);
  });

  it('refuses a colour SLD cannot express', () => {
    const named = { ...desa, style: { ...desa.style, stroke: 'rebeccapurple' } };

    expect(() => generateSld(named)).toThrow(/layer desa: colour "rebeccapurple" is not #rrggbb/);
  });
});
