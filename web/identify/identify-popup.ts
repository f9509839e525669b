import type { FeatureLike } from 'ol/Feature.js';
import type Overlay from 'ol/Overlay.js';
import type { Coordinate } from 'ol/coordinate.js';
import type { LayerDefinition } from '../../layers/types.js';
import type { fetchFeature } from '../api/client-api.js';
import { renderIdentify, type IdentifyState } from './render-identify.js';

/** A feature under a click and the declaration of its layer. */
export interface FeatureHit {
  feature: FeatureLike;
  definition: LayerDefinition;
}

/** The identify popup: which feature it shows, its loading, and its place on the map. */
export class IdentifyPopup {
  private state: IdentifyState | undefined;
  private request: AbortController | undefined;

  constructor(
    private readonly overlay: Overlay,
    private readonly element: HTMLElement,
    private readonly loadFeature: typeof fetchFeature,
  ) {
    element.hidden = true;
  }

  /** Shows `hit` at `coordinate` and loads its attributes; no hit closes the popup. */
  open(hit: FeatureHit | undefined, coordinate: Coordinate) {
    this.close();
    if (!hit) return;

    this.state = { definition: hit.definition, tileProperties: hit.feature.getProperties() };
    this.element.hidden = false;
    this.render();
    this.overlay.setPosition(coordinate);

    const featureId = hit.feature.getId();
    if (featureId === undefined) this.update({ failed: true });
    else void this.load(hit.definition.id, featureId);
  }

  close() {
    this.request?.abort();
    this.state = undefined;
    this.element.hidden = true;
    this.overlay.setPosition(undefined);
  }

  /** Draws the popup again, for instance in a new language. */
  render() {
    if (!this.state) return;

    const content = renderIdentify(this.state, () => this.close());
    this.element.replaceChildren(...content);
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

  private update(change: Partial<IdentifyState>) {
    if (!this.state) return;

    this.state = { ...this.state, ...change };
    this.render();
  }
}
