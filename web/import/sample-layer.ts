import type Map from 'ol/Map.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import { Circle, Fill, Stroke, Style } from 'ol/style.js';
import { overlayClassName } from '../map/overlay-class.js';

const sampleStyle = new Style({
  stroke: new Stroke({ color: '#d6336c', width: 2 }),
  fill: new Fill({ color: 'rgba(214, 51, 108, 0.15)' }),
  image: new Circle({
    radius: 6,
    fill: new Fill({ color: '#d6336c' }),
    stroke: new Stroke({ color: '#ffffff', width: 2 }),
  }),
});

/**
 * The preview of an import on the map: the first rows of the file, drawn above every layer
 * in one colour, and the view fitted to them.
 */
export function createSampleLayer(map: Map) {
  const source = new VectorSource();
  const layer = new VectorLayer({
    source,
    style: sampleStyle,
    zIndex: 1000,
    className: overlayClassName,
  });
  map.addLayer(layer);
  const format = new GeoJSON({ featureProjection: map.getView().getProjection() });

  return {
    show(geometries: unknown[]) {
      source.clear();
      const features = geometries
        .filter((g) => g !== null)
        .map((geometry) => format.readFeature({ type: 'Feature', properties: {}, geometry }));
      source.addFeatures(features.flat());
      const extent = source.getExtent();
      if (features.length > 0 && extent) {
        map.getView().fit(extent, { padding: [60, 60, 60, 60], maxZoom: 16 });
      }
    },
    clear: () => source.clear(),
  };
}
