import type Map from 'ol/Map.js';
import type { ThemeTitle } from '../api/client-api.js';
import { bus } from '../events/event-bus.js';
import { pickLabel, pickTitle, translate } from '../i18n/i18n.js';
import {
  getLayerDefinition,
  getShownValue,
  listDataLayers,
  listShownValues,
  setShownValue,
  type DataLayer,
} from '../map/data-layers.js';
import './layer-tree.css';

/**
 * The layer tree in `element`: the map's data layers grouped by theme, in the themes' order,
 * each with a checkbox for its visibility and a slider for its opacity, and a choice of the
 * value shown for a layer drawn one value at a time (`showOneOf`). A layer outside its zoom
 * range is dimmed and says at which zooms it shows; a layer of invented sample data carries
 * a badge saying so.
 */
export function mountLayerTree(map: Map, element: HTMLElement, themes: ThemeTitle[]) {
  const render = () => {
    element.replaceChildren(...renderThemes(map, themes));
    markOutOfZoom(map, element);
  };

  const followVisibility = ({ layer, definition }: DataLayer) => {
    layer.on('change:visible', () => {
      const checkbox = findCheckbox(element, definition.id);
      if (checkbox) checkbox.checked = layer.getVisible();
    });
  };

  element.addEventListener('change', (event) => toggleLayer(map, event.target));
  listDataLayers(map).forEach(followVisibility);
  // layers leave and join the map when someone else logs in (web/map/follow-session.ts)
  map.getLayers().on('add', (event) => {
    const added = listDataLayers(map).find(({ layer }) => layer === event.element);
    if (!added) return;
    followVisibility(added);
    render();
  });
  map.getLayers().on('remove', (event) => {
    if (getLayerDefinition(event.element)) render();
  });
  map.getView().on('change:resolution', () => markOutOfZoom(map, element));
  bus.on('language-change', render);
  render();
}

function renderThemes(map: Map, themes: ThemeTitle[]): HTMLElement[] {
  const dataLayers = listDataLayers(map);

  return themes.flatMap((theme) => {
    const inTheme = dataLayers.filter(({ definition }) => definition.theme === theme.id);
    return inTheme.length > 0 ? [renderTheme(theme, inTheme)] : [];
  });
}

function renderTheme(theme: ThemeTitle, dataLayers: DataLayer[]): HTMLElement {
  const group = document.createElement('fieldset');
  group.className = 'layer-tree__theme';

  const legend = document.createElement('legend');
  legend.textContent = pickTitle(theme);

  group.append(legend, ...dataLayers.map(renderLayerRow));
  return group;
}

function renderLayerRow(dataLayer: DataLayer): HTMLElement {
  const item = document.createElement('div');
  item.className = 'layer-tree__item';
  item.append(renderLayerLabel(dataLayer), renderOpacity(dataLayer));
  if (dataLayer.definition.style.showOneOf) item.append(renderShownValue(dataLayer));
  return item;
}

// Hazard zones of ten hazards cover the same ground: the reader picks the one to see.
function renderShownValue({ layer, definition }: DataLayer): HTMLElement {
  const select = document.createElement('select');
  select.className = 'layer-tree__shown';
  select.dataset.shownLayerId = definition.id;
  select.setAttribute('aria-label', translate('layerTree.shown', { title: pickTitle(definition) }));

  for (const value of listShownValues(definition)) {
    const option = new Option(pickLabel(value), value.code);
    option.selected = value.code === getShownValue(layer);
    select.append(option);
  }
  select.addEventListener('change', () => setShownValue(layer, select.value));
  return select;
}

function renderLayerLabel({ layer, definition }: DataLayer): HTMLElement {
  const checkbox = document.createElement('input');
  checkbox.type = 'checkbox';
  checkbox.checked = layer.getVisible();
  checkbox.dataset.layerId = definition.id;

  const row = document.createElement('label');
  row.className = 'layer-tree__layer';
  row.dataset.layerId = definition.id;
  row.title = translate('layerTree.outOfZoom', definition.zoom);
  row.append(checkbox, document.createTextNode(pickTitle(definition)));
  if (definition.metadata.sample) row.append(renderSampleBadge());
  return row;
}

// A slider per layer, so a plan zone fill can be thinned to read the roads and hazards below.
function renderOpacity({ layer, definition }: DataLayer): HTMLElement {
  const slider = document.createElement('input');
  slider.type = 'range';
  slider.min = '0';
  slider.max = '100';
  slider.step = '5';
  slider.value = String(Math.round(layer.getOpacity() * 100));
  slider.className = 'layer-tree__opacity';
  slider.dataset.opacityLayerId = definition.id;
  slider.setAttribute(
    'aria-label',
    translate('layerTree.opacity', { title: pickTitle(definition) }),
  );

  slider.addEventListener('input', () => layer.setOpacity(Number(slider.value) / 100));
  return slider;
}

// Invented data must never pass for the regency's own: the layer says so where it is chosen.
function renderSampleBadge(): HTMLElement {
  const badge = document.createElement('span');
  badge.className = 'layer-tree__sample';
  badge.textContent = translate('sample.badge');
  badge.title = translate('sample.note');
  return badge;
}

function toggleLayer(map: Map, target: EventTarget | null) {
  if (!(target instanceof HTMLInputElement) || !target.dataset.layerId) return;

  const id = target.dataset.layerId;
  const dataLayer = listDataLayers(map).find(({ definition }) => definition.id === id);
  dataLayer?.layer.setVisible(target.checked);
}

function findCheckbox(element: HTMLElement, layerId: string) {
  return element.querySelector<HTMLInputElement>(`input[data-layer-id="${layerId}"]`);
}

function markOutOfZoom(map: Map, element: HTMLElement) {
  const zoom = map.getView().getZoom() ?? 0;

  for (const { layer, definition } of listDataLayers(map)) {
    const row = element.querySelector(`label[data-layer-id="${definition.id}"]`);
    const inRange = zoom > layer.getMinZoom() && zoom <= layer.getMaxZoom();
    row?.classList.toggle('layer-tree__layer--out-of-zoom', !inRange);
  }
}
