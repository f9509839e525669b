import type Map from 'ol/Map.js';
import MapBrowserEvent from 'ol/MapBrowserEvent.js';

/**
 * Enter on the focused map taps it at its centre, under a cross shown while the map has the
 * keyboard's focus: identify opens the popup of the feature there, the editor selects it (or
 * splits there), as for a tap. A tool that answers Enter itself calls `preventDefault` on the
 * key event first (the plan sheet asks at the centre of the part of the map it leaves in view).
 */
export function tapCentreOnEnter(map: Map) {
  const target = map.getTargetElement();
  if (!target) return;

  const cross = document.createElement('div');
  cross.className = 'map-crosshair keyboard-crosshair';
  cross.setAttribute('aria-hidden', 'true');
  target.append(cross);

  target.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.target !== target || event.defaultPrevented) return;
    const [width, height] = map.getSize() ?? [];
    if (!width || !height) return;

    const tap = new MapBrowserEvent('singleclick', map, event);
    tap.pixel = [width / 2, height / 2];
    map.handleMapBrowserEvent(tap);
  });
}
