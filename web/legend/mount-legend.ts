import type Map from 'ol/Map.js';
import { bus } from '../events/event-bus.js';
import { pickLabel, pickTitle, translate } from '../i18n/i18n.js';
import {
  getLayerDefinition,
  getShownValue,
  listDataLayers,
  listShownValues,
  onShownValueChange,
  type DataLayer,
} from '../map/data-layers.js';
import { listLegendEntries, type LegendEntry } from './legend-entries.js';
import { renderLegendSymbol } from './legend-symbol.js';
import './legend.css';

/**
 * The legend in `element`: for each visible layer, top layer first, its symbols as the
 * declaration's style draws them. Follows layer visibility and the interface language.
 */
export function mountLegend(map: Map, element: HTMLElement) {
  const render = () => element.replaceChildren(...renderLegend(map));

  const follow = ({ layer }: DataLayer) => {
    layer.on('change:visible', render);
    onShownValueChange(layer, render);
  };
  listDataLayers(map).forEach(follow);
  // layers leave and join the map when someone else logs in (web/map/follow-session.ts)
  map.getLayers().on('add', (event) => {
    const added = listDataLayers(map).find(({ layer }) => layer === event.element);
    if (added) follow(added);
  });
  map.getLayers().on('remove', (event) => {
    if (getLayerDefinition(event.element)) render();
  });
  bus.on('language-change', render);
  render();
}

function renderLegend(map: Map): HTMLElement[] {
  const visible = listDataLayers(map).filter(({ layer }) => layer.getVisible());
  if (visible.length > 0) return visible.map(renderLayerLegend);

  const empty = document.createElement('p');
  empty.className = 'legend__empty';
  empty.textContent = translate('legend.empty');
  return [empty];
}

// An unclassified layer is one row (its symbol beside its title); a classified one is a
// heading over one row per coded value. A layer drawn one value at a time names it.
function renderLayerLegend({ layer, definition }: DataLayer): HTMLElement {
  const section = document.createElement('section');
  section.className = 'legend__layer';
  section.dataset.layerId = definition.id;

  const entries = listLegendEntries(definition);
  if (entries.length > 1 || definition.style.classifyBy || definition.style.widthBy) {
    const title = document.createElement('h3');
    const shown = listShownValues(definition).find(({ code }) => code === getShownValue(layer));
    title.textContent = shown
      ? `${pickTitle(definition)}: ${pickLabel(shown)}`
      : pickTitle(definition);
    section.append(title);
  }

  const list = document.createElement('ul');
  list.append(...entries.map(renderEntry));
  section.append(list);
  return section;
}

function renderEntry(entry: LegendEntry): HTMLElement {
  const item = document.createElement('li');
  const label = pickLabel({ labelId: entry.labelId, labelEn: entry.labelEn });
  item.append(renderLegendSymbol(entry.symbolizer), document.createTextNode(label));
  return item;
}
