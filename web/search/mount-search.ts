import Feature from 'ol/Feature.js';
import type Map from 'ol/Map.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import type Geometry from 'ol/geom/Geometry.js';
import VectorLayer from 'ol/layer/Vector.js';
import type { EventsKey } from 'ol/events.js';
import { unByKey } from 'ol/Observable.js';
import VectorSource from 'ol/source/Vector.js';
import { Fill, Stroke, Style } from 'ol/style.js';
import type { LayerDefinition } from '../../layers/types.js';
import type { ThemeTitle } from '../api/client-api.js';
import {
  fetchStoredFeature,
  searchLayer,
  type FoundFeature,
  type FoundGeometry,
  type SearchedAttributes,
} from '../api/search-api.js';
import { bus, type SimpulEvents } from '../events/event-bus.js';
import { pickTitle, translate, translateCount } from '../i18n/i18n.js';
import { formatFeatureName } from '../identify/format-value.js';
import { listDataLayers, type DataLayer } from '../map/data-layers.js';
import './search.css';
import { overlayClassName } from '../map/overlay-class.js';

/** Characters typed before a search starts, and the pause after the last one. */
const minimumLength = 2;
const typingPauseMs = 250;

/** Features asked of each layer, and results shown in all. */
const perLayerLimit = 5;
const shownLimit = 12;

/** Characters of the searched text quoted when nothing matches; a longer one is cut. */
const quotedMaxLength = 40;

/** The deepest zoom a found feature is framed at: a point or a short road stays in context. */
const frameMaxZoom = 16;

const geoJson = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' });

const foundStyle = new Style({
  stroke: new Stroke({ color: '#ff7a00', width: 4 }),
  fill: new Fill({ color: 'rgba(255, 122, 0, 0.12)' }),
});

interface SearchResult {
  dataLayer: DataLayer;
  feature: FoundFeature;
  name: string;
  code: string;
  /** 0: the name or code is the text; 1: it starts with it; 2: it holds it. */
  rank: number;
}

/** A feature as now stored: its geometry, null for a deleted one. */
interface StoredGeometry {
  featureId: number | string;
  geometry: FoundGeometry | null;
}

/**
 * What a layer is searched by: its `nameAttribute` when that is free text, and its unique
 * text attributes (official codes); nothing for a layer with neither.
 */
function searchedAttributesOf(definition: LayerDefinition): SearchedAttributes | undefined {
  const isFreeText = (name?: string) =>
    definition.attributes.some((a) => a.name === name && a.type === 'text' && !a.domain);
  const name = isFreeText(definition.nameAttribute) ? definition.nameAttribute : undefined;
  const codes = definition.attributes
    .filter((a) => a.unique && a.type === 'text' && !a.domain && a.name !== name)
    .map((a) => a.name);
  return name || codes.length > 0 ? { name, codes } : undefined;
}

function rankOf(text: string, values: string[]): number {
  const wanted = text.toLocaleLowerCase();
  const found = values.map((value) => value.toLocaleLowerCase());
  if (found.includes(wanted)) return 0;
  return found.some((value) => value.startsWith(wanted)) ? 1 : 2;
}

function toResult(dataLayer: DataLayer, attributes: SearchedAttributes, text: string) {
  return (feature: FoundFeature): SearchResult => {
    const { definition } = dataLayer;
    const code = attributes.codes.map((c) => feature.properties[c]).find((value) => value) ?? '';
    const name = formatFeatureName(definition, feature.properties, feature.id);
    return { dataLayer, feature, name, code: String(code), rank: rankOf(text, [name, `${code}`]) };
  };
}

/**
 * Search by name or code in the side panel: typing asks every searchable layer on the map
 * (kecamatan, desa, roads, assets…) and lists what matches, best first; choosing a result
 * frames it on the map, outlines it and shows its layer.
 */
class Search {
  readonly section = document.createElement('section');
  private readonly heading = document.createElement('h2');
  private readonly input = document.createElement('input');
  private readonly status = document.createElement('p');
  private readonly list = document.createElement('ul');
  private readonly source = new VectorSource();
  private results: SearchResult[] = [];
  private total = 0;
  private state: 'idle' | 'searching' | 'done' | 'failed' = 'idle';
  private searchedText = '';
  private pause?: ReturnType<typeof setTimeout>;
  private request?: AbortController;
  /** The outlined feature's layer reloading its tiles, and the reading of it that follows. */
  private refreshWatch?: EventsKey;
  private followRequest?: AbortController;

  constructor(
    private readonly map: Map,
    private readonly themes: readonly ThemeTitle[],
  ) {
    this.section.className = 'panel__section search';
    this.input.type = 'search';
    this.input.className = 'search__input';
    this.input.autocomplete = 'off';
    this.status.className = 'search__status';
    this.status.setAttribute('role', 'status');
    this.list.className = 'search__results';
    this.section.append(this.heading, this.input, this.status, this.list);
    const properties = { id: 'search-outline' };
    map.addLayer(
      new VectorLayer({
        source: this.source,
        style: foundStyle,
        zIndex: 9000,
        properties,
        className: overlayClassName,
      }),
    );

    this.input.addEventListener('input', () => this.typed());
    this.input.addEventListener('keydown', (event) => this.keyPressed(event));
    this.list.addEventListener('click', (event) => this.chosen(event));
  }

  private typed() {
    clearTimeout(this.pause);
    this.pause = setTimeout(() => void this.search(this.input.value.trim()), typingPauseMs);
  }

  private keyPressed(event: KeyboardEvent) {
    if (event.key === 'Enter' && this.results[0]) this.show(this.results[0]);
    if (event.key === 'Escape') this.clear();
  }

  /** Drops the results and the outline (a change of user may not read the same layers). */
  clear() {
    this.request?.abort();
    clearTimeout(this.pause);
    this.input.value = '';
    this.results = [];
    this.state = 'idle';
    this.stopFollowing();
    this.source.clear();
    this.render();
  }

  private searchedLayers() {
    const themeOrder = this.themes.map((theme) => theme.id);
    return listDataLayers(this.map)
      .map((dataLayer) => ({ dataLayer, attributes: searchedAttributesOf(dataLayer.definition) }))
      .filter((entry): entry is { dataLayer: DataLayer; attributes: SearchedAttributes } =>
        Boolean(entry.attributes),
      )
      .sort(
        (a, b) =>
          themeOrder.indexOf(a.dataLayer.definition.theme) -
          themeOrder.indexOf(b.dataLayer.definition.theme),
      );
  }

  private async search(text: string) {
    this.request?.abort();
    if (text.length < minimumLength) return this.clear();
    const request = (this.request = new AbortController());
    this.state = 'searching';
    this.searchedText = text;
    this.render();

    try {
      const found = await Promise.all(
        this.searchedLayers().map(async ({ dataLayer, attributes }) => {
          const { id } = dataLayer.definition;
          const features = await searchLayer(id, attributes, text, perLayerLimit, request.signal);
          return features.map(toResult(dataLayer, attributes, text));
        }),
      );
      // a stable sort: equally good matches stay in the order of the themes
      const all = found.flat().sort((a, b) => a.rank - b.rank);
      this.total = all.length;
      this.results = all.slice(0, shownLimit);
      this.state = 'done';
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      this.state = 'failed';
    }
    this.render();
  }

  private chosen(event: Event) {
    const button = (event.target as HTMLElement).closest<HTMLElement>('[data-index]');
    const result = button && this.results[Number(button.dataset.index)];
    if (result) this.show(result);
  }

  /** Frames a found feature, outlined, clear of the panel where it lies over the map. */
  private show(result: SearchResult) {
    const geometry = result.feature.geometry && geoJson.readGeometry(result.feature.geometry);
    if (!geometry) return;
    this.source.clear();
    this.source.addFeature(this.outlineOf(result, geometry));
    this.followRefreshesOf(result);
    result.dataLayer.layer.setVisible(true);

    const padding = 40;
    const covered = this.coveredByPanel();
    this.map.getView().fit(geometry.getExtent(), {
      padding: [padding, padding, padding + covered.bottom, padding + covered.left],
      maxZoom: frameMaxZoom,
      duration: 300,
    });
  }

  private outlineOf(result: SearchResult, geometry: Geometry) {
    const outline = new Feature(geometry);
    outline.setProperties({
      layerId: result.dataLayer.definition.id,
      featureId: result.feature.id,
    });
    return outline;
  }

  /**
   * Reads the outlined feature again whenever its layer reloads its tiles (after a save, a
   * conflict, a change of user): what another editor changed or deleted meanwhile then moves
   * or removes the outline, as it does the feature's tiles beside it.
   */
  private followRefreshesOf(result: SearchResult) {
    this.stopFollowing();
    const source = result.dataLayer.layer.getSource();
    this.refreshWatch = source?.on('change', () => void this.readAgain(result));
  }

  private stopFollowing() {
    if (this.refreshWatch) unByKey(this.refreshWatch);
    this.refreshWatch = undefined;
    this.followRequest?.abort();
  }

  private async readAgain(result: SearchResult) {
    this.followRequest?.abort();
    const request = (this.followRequest = new AbortController());
    const layerId = result.dataLayer.definition.id;
    const featureId = result.feature.id;
    try {
      const stored = await fetchStoredFeature(layerId, featureId, request.signal);
      this.followStored(layerId, [{ featureId, geometry: stored?.geometry ?? null }]);
    } catch {
      // not read (offline, or overtaken by a newer reading): the outline stays as last known
    }
  }

  /** Follows the editor's saves, restores and deletes: see `followStored`. */
  redrawSaved({ layerId, features }: SimpulEvents['features-saved']) {
    this.followStored(layerId, features);
  }

  /**
   * Draws the outline of a feature stored anew since it was found with its stored geometry,
   * and drops it when the feature was deleted: a stale copy must not lie beside the new shape.
   */
  private followStored(layerId: string, features: readonly StoredGeometry[]) {
    const storedAs = (featureLayerId: unknown, featureId: unknown) =>
      featureLayerId === layerId
        ? features.find((f) => String(f.featureId) === String(featureId))
        : undefined;

    for (const outline of this.source.getFeatures()) {
      const stored = storedAs(outline.get('layerId'), outline.get('featureId'));
      if (stored?.geometry) outline.setGeometry(geoJson.readGeometry(stored.geometry));
      else if (stored) this.source.removeFeature(outline);
    }
    if (this.source.getFeatures().length === 0) this.stopFollowing();

    // a result chosen again frames the feature as it is now; a deleted one is no result
    const shown = this.results.length;
    this.results = this.results.flatMap((result) => {
      const stored = storedAs(result.dataLayer.definition.id, result.feature.id);
      if (!stored) return [result];
      return stored.geometry
        ? [{ ...result, feature: { ...result.feature, geometry: stored.geometry } }]
        : [];
    });
    this.total -= shown - this.results.length;
    if (this.results.length < shown) this.render();
  }

  /** Pixels of the map's lower or left edge under the panel, which lies over it on a phone. */
  private coveredByPanel(): { bottom: number; left: number } {
    const mapBox = this.map.getTargetElement()?.getBoundingClientRect();
    const panelBox = this.section.closest('.panel')?.getBoundingClientRect();
    if (!mapBox || !panelBox || panelBox.width === 0) return { bottom: 0, left: 0 };
    // as wide as the map, the panel lies over its foot (a phone held upright); narrower, over
    // its left edge (a phone on its side) or beside it (a wide screen: nothing covered)
    if (panelBox.width >= mapBox.width) {
      return { bottom: Math.max(0, mapBox.bottom - panelBox.top), left: 0 };
    }
    return { bottom: 0, left: Math.max(0, panelBox.right - mapBox.left) };
  }

  /** Redraws labels, status and results in the interface language. */
  render() {
    this.heading.textContent = translate('search.title');
    this.input.placeholder = translate('search.placeholder');
    this.input.setAttribute('aria-label', translate('search.label'));
    this.status.textContent = this.statusText();
    this.list.replaceChildren(
      ...this.results.map((result, index) => this.renderItem(result, index)),
    );
  }

  private statusText(): string {
    if (this.state === 'searching') return translate('search.searching');
    if (this.state === 'failed') return translate('search.failed');
    if (this.state !== 'done') return '';
    if (this.total === 0) return translate('search.none', { text: quoted(this.searchedText) });
    if (this.total > shownLimit) return translate('search.more', { count: shownLimit });
    return translateCount('search.count', this.total);
  }

  private renderItem(result: SearchResult, index: number) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'search__result';
    button.dataset.index = String(index);
    button.dataset.layerId = result.dataLayer.definition.id;
    const name = document.createElement('span');
    name.className = 'search__name';
    name.textContent = result.name;
    const detail = document.createElement('span');
    detail.className = 'search__detail';
    const layerTitle = pickTitle(result.dataLayer.definition);
    detail.textContent = result.code ? `${layerTitle} · ${result.code}` : layerTitle;
    button.append(name, detail);

    const item = document.createElement('li');
    item.append(button);
    return item;
  }
}

/**
 * Mounts the search at the top of `panel`: by name or code over the layers the user may read,
 * in the themes' order. Mount it after the editor, whose section it goes above.
 */
export function mountSearch(map: Map, panel: HTMLElement, themes: readonly ThemeTitle[]) {
  const search = new Search(map, themes);
  panel.prepend(search.section);
  bus.on('language-change', () => search.render());
  bus.on('session-change', () => search.clear());
  bus.on('features-saved', (saved) => search.redrawSaved(saved));
  search.render();
  return search;
}

// Whole letters, never half of one written with two UTF-16 units: a pasted paragraph quoted
// whole ran far out of the panel.
function quoted(text: string): string {
  const letters = Array.from(text);
  if (letters.length <= quotedMaxLength) return text;
  return `${letters.slice(0, quotedMaxLength).join('')}…`;
}
