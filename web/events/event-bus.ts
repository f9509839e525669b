import type { Language } from '../i18n/messages.js';

/** Events that features send each other; what the map itself carries goes through the map. */
export interface SimpulEvents {
  'language-change': Language;
  /**
   * Someone else is asking now: a logout, or a login after another user or a visitor. The
   * payload is the new user's name (null: a visitor). Whatever a feature read with the old
   * credentials (analysis results, popups, tiles of restricted layers) must leave the page.
   */
  'session-change': { user: string | null };
  /**
   * Someone asks to edit a feature (its popup's edit button): the editor opens its layer and
   * form, the panel that holds the form opens. `coordinate` is where it was clicked (EPSG:3857).
   */
  'edit-request': { layerId: string; featureId: number; coordinate: number[] };
  /**
   * Measuring takes the map's clicks: the editor puts its drawing tool and selection down, so a
   * measurement's taps neither draw nor select a feature, and the Informasi Tata Ruang sheet
   * closes.
   */
  'measure-start': Record<string, never>;
  /**
   * The identify popup opened on the features under a click: a panel lying over the map (on a
   * phone) makes way, or it would hide the popup's lower part and its edit button.
   */
  'identify-open': Record<string, never>;
  /**
   * A feature was tapped on the map for editing: the panel that holds its form opens, or on a
   * phone the engineer would see the feature turn orange and no form to fill in.
   */
  'edit-select': Record<string, never>;
  /**
   * The editor takes the map's clicks (a layer, a tool or a feature chosen): measuring ends, the
   * Informasi Tata Ruang sheet closes.
   */
  'edit-start': { layerId: string };
  /**
   * The Informasi Tata Ruang sheet opened or closed. Open, it takes the map's clicks: the editor
   * puts its drawing tools down, measuring ends. On a phone it lies where the panel does: the
   * panel folds away while the sheet is open and comes back when it closes.
   */
  'plan-lookup-toggle': { open: boolean };
  /** The panel opened over the map (on a phone), where the tool sheets lie too: they close. */
  'panel-open': Record<string, never>;
  /**
   * A tool sheet opened from the app bar. The sheets lie at the same place beside the map, so
   * the others close: the plan sheet hidden below another one still took the map's clicks. On a
   * phone the panel folds away.
   */
  'sheet-open': { sheet: 'plan-lookup' | 'dashboard' | 'import' };
  /**
   * Features of a layer were saved, restored or deleted: each with its geometry as now stored
   * (GeoJSON in CRS84), null for a deleted one. Whatever draws a copy of one draws it anew.
   */
  'features-saved': {
    layerId: string;
    features: { featureId: number; geometry: { type: string; coordinates: unknown } | null }[];
  };
}

type Listener<Payload> = (payload: Payload) => void;

/** A typed publish/subscribe channel; `on` returns the function that unsubscribes. */
export function createEventBus<Events extends object>() {
  const listeners = new Map<keyof Events, Set<Listener<never>>>();

  function on<Name extends keyof Events>(name: Name, listener: Listener<Events[Name]>) {
    const named = listeners.get(name) ?? new Set();
    named.add(listener as Listener<never>);
    listeners.set(name, named);
    return () => named.delete(listener as Listener<never>);
  }

  function emit<Name extends keyof Events>(name: Name, payload: Events[Name]) {
    for (const listener of listeners.get(name) ?? []) {
      (listener as Listener<Events[Name]>)(payload);
    }
  }

  return { on, emit };
}

/** The one bus of the web client. */
export const bus = createEventBus<SimpulEvents>();
