import { describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../layers/index.js';
import { tileAttributesAt } from '../../layers/tile-attributes.js';

describe('the attributes carried in tiles', () => {
  it.each(layerDefinitions.map((layer) => [layer.id, layer] as const))(
    'include at every zoom what %s is drawn by, and its label from the zoom it shows',
    (_id, layer) => {
      const { style } = layer;
      const drawnBy = [style.classifyBy, style.widthBy, style.showOneOf].filter(
        (name): name is string => name !== undefined,
      );
      for (let z = layer.zoom.min; z <= layer.zoom.max; z += 1) {
        const carried = tileAttributesAt(layer, z).map((a) => a.name);
        for (const name of drawnBy) expect(carried, `${name} at zoom ${z}`).toContain(name);
        const labelShown = style.labelAttribute && z >= (style.labelMinZoom ?? 0);
        if (labelShown) expect(carried, `label at zoom ${z}`).toContain(style.labelAttribute);
      }
    },
  );

  it('leave a road segment code out below zoom 14, and list it at any zoom without one', () => {
    const roads = layerDefinitions.find((layer) => layer.id === 'road_segment')!;
    const names = (z?: number) => tileAttributesAt(roads, z).map((a) => a.name);

    expect(names(13)).not.toContain('segment_code');
    expect(names(13)).toContain('condition_class');
    expect(names(14)).toContain('segment_code');
    expect(names()).toContain('segment_code');
  });
});
