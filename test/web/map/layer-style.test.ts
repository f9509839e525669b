import Feature from 'ol/Feature.js';
import MultiLineString from 'ol/geom/MultiLineString.js';
import Polygon from 'ol/geom/Polygon.js';
import type Style from 'ol/style/Style.js';
import { describe, expect, it } from 'vitest';
import { desa } from '../../../layers/administrative/desa.js';
import { hazardZone } from '../../../layers/disaster-risk/hazard-zone.js';
import { createLayerStyle, zoomForResolution } from '../../../web/map/layer-style.js';
import { roadsByCondition } from '../fixtures.js';

const resolutionAtZoom = (zoom: number) => 156543.03392804097 / 2 ** zoom;

function createKelurahan() {
  const square = new Polygon([
    [
      [0, 0],
      [0, 100],
      [100, 100],
      [100, 0],
      [0, 0],
    ],
  ]);
  return new Feature({ geometry: square, name: 'Sidanegara', type: 'kelurahan' });
}

function styleAt(zoom: number): Style[] {
  const style = createLayerStyle(desa)(createKelurahan(), resolutionAtZoom(zoom));
  return ([] as Style[]).concat(style ?? []);
}

describe('createLayerStyle', () => {
  it('fills a feature with the colour of its coded value', () => {
    const [base] = styleAt(12);

    expect(base?.getFill()?.getColor()).toBe('rgba(224, 164, 88, 0.12)');
    expect(base?.getStroke()?.getLineDash()).toEqual([4, 3]);
  });

  it('colours a line by one coded value and widens it by another', () => {
    const geometry = new MultiLineString([
      [
        [0, 0],
        [100, 100],
      ],
    ]);
    const road = new Feature({ geometry, condition: 'rusak_berat', status: 'kabupaten' });

    const style = createLayerStyle(roadsByCondition)(road, resolutionAtZoom(9)) as Style;

    expect(style.getStroke()?.getColor()).toBe('#c62828');
    expect(style.getStroke()?.getWidth()).toBe(4);
  });

  it('draws only the features of the value shown of a one-at-a-time attribute', () => {
    const square = createKelurahan().getGeometry()!;
    const flood = new Feature({ geometry: square, hazard_type: 'banjir', hazard_class: 'tinggi' });
    const tsunami = new Feature({
      geometry: square,
      hazard_type: 'tsunami',
      hazard_class: 'tinggi',
    });

    const style = createLayerStyle(hazardZone, undefined, () => 'tsunami');

    expect(hazardZone.style.showOneOf).toBe('hazard_type');
    expect(style(flood, resolutionAtZoom(12))).toBeUndefined();
    expect((style(tsunami, resolutionAtZoom(12)) as Style).getFill()?.getColor()).toBeTruthy();
  });

  it('labels features only from the label zoom on', () => {
    const belowLabelZoom = styleAt(12);
    const atLabelZoom = styleAt(13);

    expect(belowLabelZoom).toHaveLength(1);
    expect(atLabelZoom[1]?.getText()?.getText()).toBe('Sidanegara');
  });
});

describe('zoomForResolution', () => {
  it('turns a Web Mercator resolution into its XYZ zoom', () => {
    expect(zoomForResolution(resolutionAtZoom(10))).toBeCloseTo(10, 9);
  });
});
