import type { FeatureLike } from 'ol/Feature.js';
import type Overlay from 'ol/Overlay.js';
import type { Coordinate } from 'ol/coordinate.js';
import type { LayerDefinition } from '../../layers/types.js';
import type { fetchFeature } from '../api/client-api.js';
import { panPopupIntoView } from './pan-popup.js';
import { renderIdentify, type IdentifyState } from './render-identify.js';

/** What the logged-in user may do with a layer (undefined: a visitor), and how to edit. */
export interface IdentifyEditing {
  accessTo(layerId: string): 'edit' | 'view' | undefined;
  edit(layerId: string, featureId: number, coordinate: Coordinate): void;
}

/** A feature under a click and the declaration of its layer. */
export interface FeatureHit {
  feature: FeatureLike;
  definition: LayerDefinition;
}

/**
 * The identify popup: the features under the last click, the one it shows (the topmost
 * first, the others a page away), that feature's loading, and the popup's place on the map.
 */
export class IdentifyPopup {
  private hits: FeatureHit[] = [];
  private state: IdentifyState | undefined;
  private request: AbortController | undefined;
  private coordinate: Coordinate | undefined;

  constructor(
    private readonly overlay: Overlay,
    private readonly element: HTMLElement,
    private readonly loadFeature: typeof fetchFeature,
    private readonly editing?: IdentifyEditing,
  ) {
    element.hidden = true;
  }

  /** Shows the first of `hits` at `coordinate`; no hit closes the popup. */
  open(hits: FeatureHit[], coordinate: Coordinate) {
    this.close();
    if (hits.length === 0) return;

    this.hits = hits;
    this.coordinate = coordinate;
    this.element.hidden = false;
    this.show(0);
    this.overlay.setPosition(coordinate);
    panPopupIntoView(this.overlay);
  }

  close() {
    this.request?.abort();
    this.hits = [];
    this.state = undefined;
    this.element.hidden = true;
    this.element.replaceChildren();
    this.overlay.setPosition(undefined);
  }

  /** Draws the popup again, for instance in a new language. */
  render() {
    if (!this.state) return;

    const access = this.editing?.accessTo(this.state.definition.id);
    const content = renderIdentify(
      { ...this.state, access },
      {
        close: () => this.close(),
        page: (step) => this.show(this.state ? this.state.index + step : 0),
        edit: () => this.edit(),
      },
    );
    this.element.replaceChildren(...content);
  }

  private edit() {
    const feature = this.state?.feature;
    if (!feature || !this.state || !this.coordinate) return;
    const { definition } = this.state;
    const coordinate = this.coordinate;
    this.close();
    this.editing?.edit(definition.id, Number(feature.id), coordinate);
  }

  /** Shows hit `index` (wrapping around) and loads its attributes from the feature API. */
  private show(index: number) {
    const count = this.hits.length;
    const shown = (index + count) % count;
    const hit = this.hits[shown];
    if (!hit) return;

    this.request?.abort();
    const tileProperties = hit.feature.getProperties();
    this.state = { definition: hit.definition, tileProperties, index: shown, count };
    this.render();

    const featureId = hit.feature.getId();
    if (featureId === undefined) this.update({ failed: true });
    else void this.load(hit.definition.id, featureId);
  }

  private async load(layerId: string, featureId: string | number) {
    const request = new AbortController();
    this.request = request;

    try {
      const feature = await this.loadFeature(layerId, featureId, request.signal);
      if (!request.signal.aborted) this.update({ feature });
    } catch (error) {
      if (request.signal.aborted) return;

      console.warn('identify: feature not loaded', error);
      this.update({ failed: true });
    }
  }

  // The attributes make the popup taller than at the click: pan again so it stays in view.
  private update(change: Partial<IdentifyState>) {
    if (!this.state) return;

    this.state = { ...this.state, ...change };
    this.render();
    panPopupIntoView(this.overlay);
  }
}
