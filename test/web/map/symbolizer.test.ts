import { describe, expect, it } from 'vitest';
import { regency } from '../../../layers/administrative/regency.js';
import { resolveSymbolizer, withOpacity } from '../../../web/map/symbolizer.js';

describe('resolveSymbolizer', () => {
  it('fills polygons with the declared colour at the declared opacity', () => {
    const symbolizer = resolveSymbolizer('MultiPolygon', { stroke: '#000000', fill: '#ff8000' });

    expect(symbolizer).toMatchObject({ shape: 'polygon', strokeWidth: 1 });
    expect(symbolizer.fill).toBe('rgba(255, 128, 0, 0.3)');
  });

  it('leaves a polygon with opacity 0 unfilled, so clicks reach the layers below', () => {
    const symbolizer = resolveSymbolizer(regency.geometry.type, regency.style);

    expect(symbolizer.fill).toBeUndefined();
  });

  it('puts the class colour on the stroke of lines and the fill of polygons', () => {
    const style = { stroke: '#000000', fill: '#ffffff', fillOpacity: 0.5 };

    const line = resolveSymbolizer('MultiLineString', style, { color: '#00ff00' });
    const polygon = resolveSymbolizer('MultiPolygon', style, { color: '#00ff00' });

    expect(line.stroke).toBe('#00ff00');
    expect(polygon).toMatchObject({ stroke: '#000000', fill: 'rgba(0, 255, 0, 0.5)' });
  });

  it('draws point markers solid in the stroke colour when no fill is declared', () => {
    const symbolizer = resolveSymbolizer('Point', { stroke: '#123456', pointRadius: 7 });

    expect(symbolizer).toMatchObject({
      shape: 'point',
      pointRadius: 7,
      fill: 'rgba(18, 52, 86, 1)',
    });
  });
});

describe('withOpacity', () => {
  it('expands short hex colours and passes other CSS colours through', () => {
    expect(withOpacity('#f00', 0.25)).toBe('rgba(255, 0, 0, 0.25)');
    expect(withOpacity('red', 0.25)).toBe('red');
  });
});
