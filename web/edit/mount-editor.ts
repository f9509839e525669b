/**
 * The web editor: for a logged-in user, choose a layer one may edit, then draw, modify,
 * split and delete its features with snapping to them and to other visible layers, fill the
 * form generated from the declaration, undo and redo, and save all changes at once. A save
 * that meets a newer version keeps the other editor's changes to fields the user left alone,
 * and opens the conflict dialog for fields both changed; history and restore are a button away.
 */
import type Feature from 'ol/Feature.js';
import type Map from 'ol/Map.js';
import type MapBrowserEvent from 'ol/MapBrowserEvent.js';
import type { Coordinate } from 'ol/coordinate.js';
import Collection from 'ol/Collection.js';
import { transformExtent, toLonLat } from 'ol/proj.js';
import DoubleClickZoom from 'ol/interaction/DoubleClickZoom.js';
import Draw from 'ol/interaction/Draw.js';
import Modify from 'ol/interaction/Modify.js';
import Snap from 'ol/interaction/Snap.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorTileLayer from 'ol/layer/VectorTile.js';
import VectorSource from 'ol/source/Vector.js';
import { Circle, Fill, Stroke, Style } from 'ol/style.js';
import type {
  AttributeDefinition,
  LayerDefinition,
  RecordTableDefinition,
} from '../../layers/types.js';
import { checkAttributes } from '../../layers/validate-attributes.js';
import type { ClientConfig } from '../api/client-api.js';
import {
  ApiProblem,
  fetchFeaturesInBbox,
  fetchFeatureWithETag,
  fetchHistory,
  fetchLayerChanges,
  fetchRecordTables,
  restoreVersion,
  saveBatch,
  type BatchReport,
  type FieldProblem,
  type HistoryEntry,
  type Session,
} from '../api/edit-api.js';
import { askToLogIn, checkBeforeLogout, onSessionChange } from '../auth/mount-login.js';
import { bus } from '../events/event-bus.js';
import { pickTitle } from '../i18n/i18n.js';
import { getLayerDefinition } from '../map/data-layers.js';
import { overlayClassName } from '../map/overlay-class.js';
import { AttributeForm, relabelForms } from './attribute-form.js';
import { askConflictResolution } from './conflict-dialog.js';
import { drawTypeOf, toApiGeometry, toOlFeature } from './edit-geometry.js';
import { editText, type EditMessageKey } from './edit-messages.js';
import { compareVersions, mergeVersions } from './merge-versions.js';
import { EditSession, storedIdOf, storedKey, type WorkingFeature } from './edit-session.js';
import { deletedFeatures, showDeletedDialog, showHistoryDialog } from './history-dialog.js';
import { relabelRecords, renderRecords } from './records-section.js';
import { splitLineAt } from './split-line.js';
import { splitRouteMeasures } from './split-measures.js';
import './edit.css';

/** Below this zoom the editor loads nothing: a regency-wide layer is too much to edit. */
const editMinZoom = 14;

/** Most features of the edited layer, and of each layer snapped to, loaded for a view. */
const editFeatureLimit = 2000;
const snapFeatureLimit = 500;

/** Pixels within which a drawn or moved vertex snaps to another. */
const snapTolerancePx = 12;

/**
 * How long after a drawing ends double-click zoom stays off: the double-click that finished
 * it reaches the map after `drawend`, and must not zoom as well.
 */
const doubleClickSettleMs = 300;

type Tool = 'select' | 'draw' | 'split';

const selectedStyle = new Style({
  // above the others: a structure on a canal's end, or two at one place, hid the selection
  zIndex: 2,
  stroke: new Stroke({ color: '#ff7a00', width: 5 }),
  fill: new Fill({ color: 'rgba(255, 122, 0, 0.2)' }),
  image: new Circle({
    radius: 8,
    fill: new Fill({ color: '#ff7a00' }),
    stroke: new Stroke({ color: '#fff', width: 2 }),
  }),
});
const changedStyle = new Style({
  zIndex: 1,
  stroke: new Stroke({ color: '#d6336c', width: 4 }),
  fill: new Fill({ color: 'rgba(214, 51, 108, 0.15)' }),
  image: new Circle({
    radius: 7,
    fill: new Fill({ color: '#d6336c' }),
    stroke: new Stroke({ color: '#fff', width: 2 }),
  }),
});
const editableStyle = new Style({
  stroke: new Stroke({ color: '#1c7ed6', width: 3 }),
  fill: new Fill({ color: 'rgba(28, 126, 214, 0.1)' }),
  image: new Circle({
    radius: 6,
    fill: new Fill({ color: '#1c7ed6' }),
    stroke: new Stroke({ color: '#fff', width: 2 }),
  }),
});

function button(key: EditMessageKey, action: string): HTMLButtonElement {
  const created = document.createElement('button');
  created.type = 'button';
  created.className = 'edit-tool';
  created.dataset.action = action;
  created.dataset.text = key;
  created.textContent = editText(key);
  return created;
}

/** True for two copies of one feature with the same attribute values (the ETag aside). */
function showsSameValues(a: WorkingFeature, b: WorkingFeature): boolean {
  return a.key === b.key && JSON.stringify(a.properties) === JSON.stringify(b.properties);
}

/** The words of why a request failed, by their key; undefined: the server's own words. */
function reasonKeyOf(error: unknown): EditMessageKey | undefined {
  // fetch rejects with a TypeError when no answer came: offline, or the server unreachable
  if (error instanceof TypeError) return 'reason.offline';
  if (!(error instanceof ApiProblem)) return 'reason.serverFailed';
  if (error.status === 401 || error.type === 'csrf-token-missing') return 'reason.sessionEnded';
  if (error.status >= 500) return 'reason.serverFailed';
  return undefined;
}

/**
 * Why reading or restoring failed, in the interface language: no answer, a session ended,
 * the server's trouble, else the server's own words.
 */
function reasonText(error: unknown): string {
  const key = reasonKeyOf(error);
  return key ? editText(key) : (error as Error).message.replace(/\.$/, '');
}

/** The editor's state and its wiring to the map. */
class Editor {
  private layer?: LayerDefinition;
  private session?: EditSession;
  private selectedKey?: string;
  /** A save waits for its answer: a second one is not started. */
  private saving = false;
  private form?: AttributeForm;
  /** The working feature the form shows, so an unchanged one is not rendered again. */
  private formFeature?: WorkingFeature;
  /** Record tables the user may read (surveys, inspections), for the records section. */
  private recordTables: RecordTableDefinition[] = [];
  private tool: Tool = 'select';
  private loadAbort?: AbortController;

  private readonly editSource = new VectorSource();
  private readonly snapSource = new VectorSource();
  private readonly selected = new Collection<Feature>();
  private readonly editLayer = new VectorLayer({
    // the editor's working copy, not the map: left out of the view export like other tools'
    className: overlayClassName,
    source: this.editSource,
    zIndex: 10000,
    style: (feature) => this.styleOf(feature as Feature),
  });
  private readonly modify = new Modify({
    features: this.selected,
    pixelTolerance: snapTolerancePx,
  });
  private readonly snaps = [
    new Snap({ source: this.editSource, pixelTolerance: snapTolerancePx }),
    new Snap({ source: this.snapSource, pixelTolerance: snapTolerancePx }),
  ];
  private draw?: Draw;

  readonly section = document.createElement('section');
  readonly toolbar = document.createElement('div');
  private readonly layerSelect = document.createElement('select');
  private readonly status = document.createElement('p');
  private readonly formSlot = document.createElement('div');
  private readonly actions = document.createElement('div');
  /** The status line's message in the interface language, shown again when it changes. */
  private statusText = () => '';
  /** The status line says the login session ended: a login again is then said instead. */
  private saysSessionEnded = false;

  constructor(
    private readonly map: Map,
    private readonly layers: readonly LayerDefinition[],
  ) {
    this.buildPanel();
    this.buildToolbar();
    this.modify.on('modifyend', (event) => {
      for (const feature of event.features.getArray()) this.geometryChanged(feature);
    });
    // Registered before identify's listener: while editing, a click edits and nothing else.
    map.on('singleclick', (event) => this.handleClick(event));
    map.on('moveend', () => void this.loadFeatures());
  }

  private buildPanel() {
    this.section.className = 'panel__section edit-panel';
    this.section.hidden = true;
    const title = document.createElement('h2');
    title.dataset.text = 'edit.title';
    const label = document.createElement('label');
    label.className = 'edit-field';
    const labelText = document.createElement('span');
    labelText.dataset.text = 'edit.layer';
    this.layerSelect.id = 'edit-layer';
    label.append(labelText, this.layerSelect);
    this.status.className = 'edit-status';
    this.status.setAttribute('role', 'status');

    const actions = this.actions;
    actions.className = 'edit-actions';
    actions.append(
      button('edit.save', 'save'),
      button('edit.discard', 'discard'),
      button('edit.history', 'history'),
      button('deleted.open', 'deleted'),
    );
    this.formSlot.className = 'edit-form-slot';
    this.section.append(title, label, this.formSlot, this.buildFooter(actions));
    this.layerSelect.addEventListener('change', () => this.chooseLayer(this.layerSelect.value));
    actions.addEventListener('click', (event) => this.runAction(event));
  }

  /**
   * The status and the actions below the form, held at the panel's bottom edge while the form
   * scrolls: on a phone's short panel Save lay above the form, out of sight of its fields. The
   * fields keep clear of it when Tab brings them into view (`--edit-footer-height`).
   */
  private buildFooter(actions: HTMLElement) {
    const footer = document.createElement('div');
    footer.className = 'edit-footer';
    footer.append(this.status, actions);
    new ResizeObserver(() => {
      const height = `${footer.offsetHeight}px`;
      this.section.style.setProperty('--edit-footer-height', height);
    }).observe(footer);
    return footer;
  }

  private buildToolbar() {
    this.toolbar.className = 'edit-toolbar';
    this.toolbar.hidden = true;
    this.toolbar.setAttribute('role', 'toolbar');
    this.toolbar.append(
      button('edit.select', 'select'),
      button('edit.draw', 'draw'),
      button('edit.split', 'split'),
      button('edit.delete', 'delete'),
      button('edit.undo', 'undo'),
      button('edit.redo', 'redo'),
      button('edit.locate', 'locate'),
    );
    this.toolbar.addEventListener('click', (event) => this.runAction(event));
  }

  /** Shows the editor to users who may edit something, with the layers they may edit. */
  applySession(session: Session) {
    if (session.user && this.saysSessionEnded) this.sayLoggedInAgain(session.user.name);
    const editable = this.layers.filter((l) => session.editableLayers.includes(l.id));
    if (session.user) {
      void fetchRecordTables().then(
        (tables) => (this.recordTables = tables),
        () => undefined,
      );
    }
    this.section.hidden = editable.length === 0;
    if (editable.length === 0) this.chooseLayer('');

    const chosen = this.layer?.id ?? '';
    this.layerSelect.replaceChildren(new Option('', ''));
    for (const layer of editable)
      this.layerSelect.append(new Option('', layer.id, false, layer.id === chosen));
    this.relabel();
  }

  /**
   * Puts everything the editor shows in the interface language: texts marked `data-text`, the
   * layer choice, the form and the records, and the status line. Inputs are left alone, so
   * what the user typed and has not saved stays, and nothing is asked of the server again.
   */
  relabel() {
    for (const node of [
      ...this.section.querySelectorAll<HTMLElement>('[data-text]'),
      ...this.toolbar.querySelectorAll<HTMLElement>('[data-text]'),
    ]) {
      node.textContent = editText(node.dataset.text as EditMessageKey);
    }
    for (const choice of this.layerSelect.options) {
      const layer = this.layers.find((l) => l.id === choice.value);
      choice.textContent = layer ? pickTitle(layer) : editText('edit.chooseLayer');
    }
    relabelForms(this.formSlot);
    relabelRecords(this.formSlot);
    this.status.textContent = this.statusText();
    this.updateActions();
  }

  /**
   * Marks each action that can do nothing yet as disabled, with the reason as its tooltip.
   * `aria-disabled` rather than `disabled`: the button keeps its focus, so a keyboard or
   * screen reader user hears the reason too.
   */
  private updateActions() {
    const reasons = this.actionBlockers();
    for (const node of this.actions.querySelectorAll<HTMLButtonElement>('[data-action]')) {
      const reason = reasons[node.dataset.action!];
      node.setAttribute('aria-disabled', String(reason !== undefined));
      if (reason) node.title = editText(reason);
      else node.removeAttribute('title');
    }
  }

  /** Why each action of the panel can do nothing now, by action (none: it can). */
  private actionBlockers(): Record<string, EditMessageKey | undefined> {
    if (!this.session) {
      const reason = 'edit.chooseLayerFirst';
      return { save: reason, discard: reason, history: reason, deleted: reason };
    }
    const unchanged = !this.session.hasChanges;
    const selected = this.selectedKey ? this.session.get(this.selectedKey) : undefined;
    return {
      save: this.saving ? 'edit.saving' : unchanged ? 'edit.nothingToSave' : undefined,
      discard: unchanged ? 'edit.nothingToDiscard' : undefined,
      history: selected?.id === undefined ? 'edit.historyNeedsFeature' : undefined,
    };
  }

  /** Shows the server's or the browser's own words, which a change of language leaves as is. */
  private setStatus(text: string) {
    this.statusText = () => text;
    this.status.textContent = text;
    this.saysSessionEnded = false;
  }

  /** Shows an editor message; a change of language shows it again, translated. */
  private showStatus(key: EditMessageKey, values: Record<string, string | number> = {}) {
    this.statusText = () => editText(key, values);
    this.status.textContent = this.statusText();
    this.saysSessionEnded = key === 'edit.sessionEnded';
  }

  /**
   * Says the user is logged in again, in place of the session's end: that stayed on show after
   * the login dialog closed, until the next save, as if the login had not worked.
   */
  private sayLoggedInAgain(name: string) {
    const pending = this.session?.pendingKeys().length ?? 0;
    if (pending > 0) this.showStatus('edit.loggedInAgain', { name, count: pending });
    else this.showStatus('edit.loggedInAgainNoChanges', { name });
  }

  private updateStatus() {
    this.updateActions();
    if (!this.session) return this.setStatus('');
    const pending = this.session.pendingKeys().length;
    // a change typed while a save waits for its answer leaves the save in sight; save() says
    // what is still pending once it ends
    if (this.saving) this.showStatus('edit.saving');
    else if (pending > 0) this.showStatus('edit.pending', { count: pending });
    else this.showStatus('edit.noChanges');
    // aria-disabled, as the panel's actions: a disabled button drops the keyboard's focus to
    // the page once the last step is undone
    const undo = this.toolbar.querySelector<HTMLButtonElement>('[data-action="undo"]')!;
    const redo = this.toolbar.querySelector<HTMLButtonElement>('[data-action="redo"]')!;
    undo.setAttribute('aria-disabled', String(!this.session.canUndo));
    redo.setAttribute('aria-disabled', String(!this.session.canRedo));
  }

  private chooseLayer(layerId: string) {
    if (this.session?.hasChanges && !window.confirm(editText('edit.confirmDiscard'))) {
      this.layerSelect.value = this.layer?.id ?? '';
      return;
    }
    this.stopEditing();
    const layer = this.layers.find((l) => l.id === layerId);
    if (!layer) return;

    this.layer = layer;
    bus.emit('edit-start', { layerId });
    const computedNames = layer.attributes.filter((a) => a.computed).map((a) => a.name);
    this.session = new EditSession(layer.id, computedNames);
    this.map.addLayer(this.editLayer);
    this.map.addInteraction(this.modify);
    this.toolbar.hidden = false;
    // a point or an area cannot be cut at a point: the tool asked to tap "the selected line",
    // then said the point must lie inside the line, for a weir or a well
    const split = this.toolbar.querySelector<HTMLButtonElement>('[data-action="split"]')!;
    split.hidden = !layer.geometry.type.endsWith('LineString');
    this.setTileOpacity(0.35);
    this.setTool('select');
    // while its features load the actions say why they wait, not that no layer is chosen
    this.updateActions();
    void this.loadFeatures();
  }

  private stopEditing() {
    this.setTool('select');
    this.map.removeInteraction(this.modify);
    for (const snap of this.snaps) this.map.removeInteraction(snap);
    this.map.removeLayer(this.editLayer);
    this.setTileOpacity(1);
    this.toolbar.hidden = true;
    this.layer = undefined;
    this.session = undefined;
    this.select(undefined);
    this.editSource.clear();
    this.snapSource.clear();
    this.setStatus('');
    this.updateActions();
  }

  private dataLayerOf(layerId: string) {
    const all = this.map.getLayers().getArray();
    return all.find((l) => getLayerDefinition(l)?.id === layerId) as VectorTileLayer | undefined;
  }

  /** Dims the edited layer's tiles under the editable features; editing shows the layer. */
  private setTileOpacity(opacity: number) {
    const dataLayer = this.layer && this.dataLayerOf(this.layer.id);
    dataLayer?.setOpacity(opacity);
    if (opacity < 1) dataLayer?.setVisible(true);
  }

  /** Double-click finishes a drawing; it must not zoom the map as well. */
  private setDoubleClickZoom(active: boolean) {
    const apply = () => {
      for (const interaction of this.map.getInteractions().getArray()) {
        if (interaction instanceof DoubleClickZoom)
          interaction.setActive(active && this.tool !== 'draw');
      }
    };
    if (active) setTimeout(apply, doubleClickSettleMs);
    else apply();
  }

  private viewBbox(): number[] {
    const extent = this.map.getView().calculateExtent(this.map.getSize());
    return transformExtent(extent, 'EPSG:3857', 'EPSG:4326');
  }

  /** Loads the edited layer's features in view, and other visible layers' for snapping. */
  private async loadFeatures() {
    const layer = this.layer;
    const session = this.session;
    if (!layer || !session) return;
    if ((this.map.getView().getZoom() ?? 0) < editMinZoom) {
      this.showStatus('edit.zoomIn', { zoom: editMinZoom });
      return;
    }
    this.loadAbort?.abort();
    const abort = (this.loadAbort = new AbortController());
    const bbox = this.viewBbox();
    try {
      const features = await fetchFeaturesInBbox(layer.id, bbox, editFeatureLimit, abort.signal);
      session.load(
        features.map((f) => ({
          key: storedKey(f.id),
          id: f.id,
          geometry: f.geometry,
          properties: f.properties,
        })),
      );
      this.render();
      // render() said how many changes wait to be saved; that matters more than the count
      if (!session.hasChanges) this.showStatus('edit.loaded', { count: features.length });
      await this.loadSnapFeatures(bbox, abort.signal);
    } catch (error) {
      if ((error as Error).name !== 'AbortError') this.showFailure('edit.loadFailed', error);
    }
  }

  private async loadSnapFeatures(bbox: number[], signal: AbortSignal) {
    const visible = this.map
      .getLayers()
      .getArray()
      .filter(
        (l) =>
          l.getVisible() && getLayerDefinition(l) && getLayerDefinition(l)!.id !== this.layer?.id,
      )
      .map((l) => getLayerDefinition(l)!);
    const batches = await Promise.all(
      visible.map((definition) =>
        fetchFeaturesInBbox(definition.id, bbox, snapFeatureLimit, signal).catch(() => []),
      ),
    );
    this.snapSource.clear();
    for (const feature of batches.flat()) {
      this.snapSource.addFeature(
        toOlFeature({ key: `s${feature.id}`, geometry: feature.geometry, properties: {} }),
      );
    }
  }

  /** Redraws the edit layer from the session and keeps the selection and form in step. */
  private render() {
    const session = this.session;
    if (!session) return;
    this.editSource.clear();
    this.editSource.addFeatures(session.all().map(toOlFeature));
    const selected =
      this.selectedKey && session.get(this.selectedKey) ? this.selectedKey : undefined;
    this.select(selected);
    this.updateStatus();
  }

  private styleOf(feature: Feature): Style {
    const key = String(feature.getId());
    if (key === this.selectedKey) return selectedStyle;
    return this.session?.isChanged(key) ? changedStyle : editableStyle;
  }

  private select(key: string | undefined) {
    this.selectedKey = key;
    this.selected.clear();
    const olFeature = key ? this.editSource.getFeatureById(key) : null;
    if (olFeature) this.selected.push(olFeature);
    this.editLayer.changed();
    this.renderForm();
    this.updateActions();
  }

  private renderForm() {
    const feature = this.selectedKey ? this.session?.get(this.selectedKey) : undefined;
    // A reload in the background must not wipe what the user is typing: the fresh copy a
    // selection fetches (for its ETag) often lands after the first keys; it is drawn again
    // only when it shows other values than the form does.
    if (feature && this.formFeature && showsSameValues(feature, this.formFeature)) {
      this.formFeature = feature;
      return;
    }
    this.formFeature = feature;
    this.formSlot.replaceChildren();
    this.form = undefined;
    if (!feature || !this.layer) return;

    const title = document.createElement('h3');
    const titleText = document.createElement('span');
    // "Attributes 12" read as twelve attributes: the id is the feature's number
    const titleKey = feature.id === undefined ? 'form.titleNew' : 'form.title';
    titleText.dataset.text = titleKey;
    titleText.textContent = editText(titleKey);
    title.append(titleText, feature.id === undefined ? '' : ` #${feature.id}`);
    const stored = this.session?.storedProperties(feature.key);
    this.form = new AttributeForm(this.layer, feature.properties, stored);
    this.form.element.addEventListener('change', () => this.propertiesChanged());
    this.formSlot.append(title, this.form.element);
    this.form.check();
    if (feature.id !== undefined) this.renderRecordsOf(feature);
  }

  private renderRecordsOf(feature: WorkingFeature) {
    const slot = document.createElement('div');
    slot.className = 'edit-records-slot';
    this.formSlot.append(slot);
    const reload = () => void this.reloadFeature(feature.id!);
    void renderRecords(slot, this.layer!, this.recordTables, feature.properties, reload);
  }

  /** Reads a stored feature again (after a record changed its latest values). */
  private async reloadFeature(id: number) {
    if (!this.layer || !this.session) return;
    const { feature, etag } = await fetchFeatureWithETag(this.layer.id, id);
    const key = storedKey(id);
    if (!this.session.isChanged(key)) {
      const { geometry, properties } = feature;
      this.session.acceptServerVersion({ key, id, etag, geometry, properties });
    }
    this.dataLayerOf(this.layer.id)?.getSource()?.refresh();
    this.formFeature = undefined;
    this.render();
  }

  private propertiesChanged() {
    if (!this.form || !this.selectedKey || !this.session) return;
    const values = this.form.values();
    const current = this.session.get(this.selectedKey)!;
    const merged = { ...current.properties, ...values };
    if (JSON.stringify(merged) === JSON.stringify(current.properties)) return;
    this.session.setProperties(this.selectedKey, merged);
    this.formFeature = this.session.get(this.selectedKey);
    this.editLayer.changed();
    this.updateStatus();
  }

  private geometryChanged(olFeature: Feature) {
    if (!this.session || !this.layer) return;
    this.session.setGeometry(
      String(olFeature.getId()),
      toApiGeometry(olFeature, this.layer.geometry.type),
    );
    this.editLayer.changed();
    this.updateStatus();
  }

  private setTool(tool: Tool) {
    this.tool = tool;
    if (this.draw) this.map.removeInteraction(this.draw);
    this.draw = undefined;
    for (const snap of this.snaps) this.map.removeInteraction(snap);
    this.setDoubleClickZoom(tool !== 'draw');
    // Modify would take a tap on the selected line as a new vertex, not as the split point
    this.modify.setActive(tool === 'select');
    // TODO: drawing and moving vertices need a pointer. From the keyboard a feature can be
    // chosen (Enter at the map's cross) and its attributes edited, but no vertex added or moved;
    // the measuring bar's "add the point at the centre" would lift this for Draw.
    if (tool === 'draw' && this.layer) {
      this.draw = new Draw({ source: undefined, type: drawTypeOf(this.layer.geometry.type) });
      this.draw.on('drawend', (event) => this.drawn(event.feature));
      this.map.addInteraction(this.draw);
    }
    // Snap goes last, so it sees pointer moves before Draw and Modify do.
    if (this.layer) for (const snap of this.snaps) this.map.addInteraction(snap);
    for (const node of this.toolbar.querySelectorAll<HTMLButtonElement>('[data-action]')) {
      node.setAttribute('aria-pressed', String(node.dataset.action === tool));
    }
    if (tool === 'split') this.showStatus('edit.splitHint');
  }

  private drawn(olFeature: Feature) {
    if (!this.session || !this.layer) return;
    const geometry = toApiGeometry(olFeature, this.layer.geometry.type);
    const key = this.session.create(geometry, {});
    this.render();
    this.select(key);
    this.setTool('select');
  }

  private handleClick(event: MapBrowserEvent) {
    if (!this.layer || !this.session) return;
    // The editor owns clicks on the map while a layer is being edited (no identify popup).
    event.stopPropagation();
    if (this.tool === 'draw') return;
    if (this.tool === 'split') return this.splitAt(event.coordinate);

    const hit = this.map.forEachFeatureAtPixel(event.pixel, (feature) => feature as Feature, {
      layerFilter: (l) => l === this.editLayer,
      hitTolerance: 6,
    });
    void this.selectForEditing(hit ? String(hit.getId()) : undefined);
    if (!hit) return;

    bus.emit('edit-select', {});
    this.keepInSight(event.coordinate);
    this.formSlot.scrollIntoView({ block: 'nearest' });
  }

  /**
   * Pans the map so that the place tapped is not under the panel the form opens in, where it
   * lies over the map (a phone): the road being edited stayed hidden behind its own form.
   */
  private keepInSight(coordinate: Coordinate) {
    const mapBox = this.map.getTargetElement()?.getBoundingClientRect();
    const panelBox = this.section.closest('.panel')?.getBoundingClientRect();
    const pixel = this.map.getPixelFromCoordinate(coordinate);
    const view = this.map.getView();
    const [center, resolution] = [view.getCenter(), view.getResolution()];
    if (!mapBox || !panelBox || panelBox.width === 0 || !pixel || !center || !resolution) return;
    const [x, y] = [mapBox.left + pixel[0]!, mapBox.top + pixel[1]!];
    const under =
      x >= panelBox.left && x <= panelBox.right && y >= panelBox.top && y <= panelBox.bottom;
    if (!under) return;
    // the middle of the map left in sight: above the panel on a phone held upright, right of
    // it on a phone on its side
    const [clearX, clearY] =
      panelBox.width >= mapBox.width
        ? [(mapBox.left + mapBox.right) / 2, (mapBox.top + panelBox.top) / 2]
        : [(panelBox.right + mapBox.right) / 2, (mapBox.top + mapBox.bottom) / 2];
    const [centerX, centerY] = [center[0]!, center[1]!];
    const moved = [centerX + (x - clearX) * resolution, centerY - (y - clearY) * resolution];
    view.animate({ center: moved, duration: 250 });
  }

  /**
   * Selects a feature and learns the ETag of a stored one, fresh from the server. A feature
   * asked for before the features in view are loaded (from its popup) is read by its key.
   */
  private async selectForEditing(key: string | undefined) {
    this.select(key);
    const layer = this.layer;
    const session = this.session;
    const id = key && (session?.get(key)?.id ?? storedIdOf(key));
    if (!key || !id || !layer || !session) return;
    const { feature: fresh, etag } = await fetchFeatureWithETag(layer.id, id);
    if (this.session !== session) return;
    session.load([
      { key, id: fresh.id, etag, geometry: fresh.geometry, properties: fresh.properties },
    ]);
    if (!session.isChanged(key)) this.render();
  }

  private splitAt(coordinate: number[]) {
    const feature = this.selectedKey ? this.session?.get(this.selectedKey) : undefined;
    if (!feature || !this.session) return this.showStatus('edit.selectFirst');
    const parts = splitLineAt(feature.geometry, toLonLat(coordinate) as [number, number]);
    if (!parts) return this.showStatus('edit.splitFailed');

    const unique = this.layer!.attributes.filter((a) => a.unique && !a.computed);
    const uniqueNames = unique.map((a) => a.name);
    const measures = this.layer!.routeMeasures;
    const divided =
      measures && splitRouteMeasures(feature.properties, measures, parts[0], parts[1]);
    const newKey = this.session.split(feature.key, parts[0], parts[1], uniqueNames, divided);
    this.render();
    this.select(newKey);
    this.setTool('select');
    if (unique.length > 0) this.sayNewPartNeedsOwn(unique, feature.properties);
  }

  /** Says which values the new part of a split needs of its own, and what the old one keeps. */
  private sayNewPartNeedsOwn(unique: AttributeDefinition[], kept: Record<string, unknown>) {
    this.statusText = () =>
      editText('edit.splitNeedsOwn', {
        fields: unique.map((a) => pickTitle(a)).join(', '),
        values: unique.map((a) => String(kept[a.name] ?? '—')).join(', '),
      });
    this.status.textContent = this.statusText();
  }

  private runAction(event: Event) {
    const target = (event.target as HTMLElement).closest<HTMLElement>('[data-action]');
    const action = target?.dataset.action;
    const session = this.session;
    if (!action || !session || target.ariaDisabled === 'true') return;
    if (action === 'select' || action === 'draw' || action === 'split') {
      bus.emit('edit-start', { layerId: this.layer!.id });
      return this.setTool(action);
    }
    if (action === 'delete') {
      if (!this.selectedKey) return this.showStatus('edit.selectFirst');
      session.remove(this.selectedKey);
      this.selectedKey = undefined;
    }
    if (action === 'undo' || action === 'redo') return this.undoOrRedo(action);
    if (action === 'discard' && window.confirm(editText('edit.confirmDiscard'))) session.discard();
    if (action === 'save') return void this.save();
    if (action === 'history') return void this.openHistory();
    if (action === 'deleted') return void this.openDeleted();
    if (action === 'locate') return this.locate();
    this.render();
  }

  /**
   * Undoes or redoes a step and selects what it changed last, so its form shows what the step
   * did: the whole line of a split undone, the new part of a split redone, whose empty code
   * was otherwise pointed out only at the next save.
   */
  private undoOrRedo(action: 'undo' | 'redo') {
    const session = this.session!;
    const changed = action === 'undo' ? session.undo() : session.redo();
    this.render();
    if (changed.length > 0) this.select(changed.at(-1));
  }

  /** The first pending feature breaking a shared rule, with its problems (none: all valid). */
  private localProblems(): { key: string; problems: FieldProblem[] } | undefined {
    for (const key of this.session!.pendingKeys()) {
      const feature = this.session!.get(key);
      if (!feature) continue;
      const stored = this.session!.storedProperties(key);
      const properties = feature.properties;
      const { problems } = checkAttributes(this.layer!, properties, 'replace', 'reject', stored);
      if (problems.length > 0) return { key, problems };
    }
    return undefined;
  }

  private showProblems(key: string, problems: FieldProblem[]) {
    this.select(key);
    this.form?.showProblems(problems);
    this.showStatus('edit.fixFields');
  }

  /**
   * Saves every pending change in one batch; conflicts go to the dialog, then it retries. One
   * save at a time: a second press while the first waited for its answer sent the same edits
   * again (a new road created twice).
   */
  private async save(): Promise<void> {
    if (this.saving) return;
    this.saving = true;
    this.updateActions();
    try {
      await this.saveNow();
    } finally {
      this.saving = false;
      // still "saving…" (no failure, no "saved" said): what was changed meanwhile is pending
      if (this.status.textContent === editText('edit.saving')) this.updateStatus();
      else this.updateActions();
    }
  }

  private async saveNow(): Promise<void> {
    const session = this.session!;
    const keys = session.pendingKeys();
    if (keys.length === 0) return this.showStatus('edit.noChanges');
    const local = this.localProblems();
    if (local) return this.showProblems(local.key, local.problems);

    this.showStatus('edit.saving');
    let reports: BatchReport[];
    const edits = session.pendingEdits();
    // the versions sent: a change made while the answer is awaited is not in them
    const sent = keys.map((key) => session.get(key));
    try {
      reports = await saveBatch(edits);
    } catch (error) {
      if (this.session !== session) return;
      return this.handleSaveFailure(error, keys);
    }
    session.markSaved(
      reports.map((r, i) => ({
        key: keys[i]!,
        id: r.featureId,
        etag: r.etag,
        sent: edits[i]!.op === 'delete' ? undefined : sent[i],
      })),
    );
    // the layer was left meanwhile (its changes dropped, as the user agreed)
    if (this.session !== session) return;
    const features = reports.map((report, i) => {
      const edit = edits[i]!;
      const geometry = edit.op === 'delete' ? null : (edit.feature as WorkingFeature).geometry;
      return { featureId: report.featureId, geometry };
    });
    bus.emit('features-saved', { layerId: this.layer!.id, features });
    this.dataLayerOf(this.layer!.id)?.getSource()?.refresh();
    this.selectedKey = this.selectedKey?.startsWith('n') ? undefined : this.selectedKey;
    this.render();
    // what was changed while saving is still to save, and render() said how many
    if (!session.hasChanges) this.showStatus('edit.saved');
  }

  /** Says why nothing was saved, in the interface language; the changes stay to save again. */
  private async handleSaveFailure(error: unknown, keys: string[]) {
    // fetch rejects with a TypeError when no answer came: offline, or the server unreachable
    if (error instanceof TypeError) return this.showStatus('edit.offline');
    if (!(error instanceof ApiProblem)) throw error;

    if (error.status === 401 || error.type === 'csrf-token-missing') {
      this.showStatus('edit.sessionEnded');
      return askToLogIn();
    }
    if (error.status >= 500) return this.showStatus('edit.serverFailed');
    await this.handleSaveProblem(error, keys);
  }

  private async handleSaveProblem(problem: ApiProblem, keys: string[]) {
    const reports = (problem.body.edits as BatchReport[] | undefined) ?? [];
    const failed = reports.filter((r) => r.outcome === 'failed');
    if (failed.some((r) => r.status === 403)) {
      // the layer's title is looked up at each showing, so a change of language translates it
      const layer = this.layer!;
      this.statusText = () => editText('edit.forbidden', { layer: pickTitle(layer) });
      this.status.textContent = this.statusText();
      return;
    }
    // another editor changed (412) or deleted (404) the feature since the user read it
    const conflicts = failed.filter((r) => r.status === 412 || r.status === 404);
    if (conflicts.length > 0) return this.resolveConflicts(conflicts, keys);
    const invalid = failed.find((r) => r.problem?.errors?.length);
    if (invalid) return this.showProblems(keys[invalid.index]!, invalid.problem!.errors!);
    this.showStatus('edit.saveFailed', { detail: failed[0]?.problem?.detail ?? problem.message });
  }

  /** Resolves each conflict of a save, then saves what is left. */
  private async resolveConflicts(conflicts: BatchReport[], keys: string[]) {
    let deletedByOther = false;
    try {
      for (const report of conflicts) {
        const dropped = await this.resolveConflict(keys[report.index]!);
        deletedByOther ||= dropped;
      }
    } catch (error) {
      return this.handleSaveFailure(error, keys);
    }
    // the tiles drawn so far predate the other editor's save: without a reload, a version
    // taken from them, or a feature they deleted, stays drawn as the user first saw it
    this.dataLayerOf(this.layer!.id)?.getSource()?.refresh();
    this.render();
    await this.saveNow();
    // said once nothing else waits, so a failure of what was left is not hidden by it
    if (deletedByOther && !this.session?.hasChanges) this.showStatus('conflict.deletedByOther');
  }

  /**
   * Settles one feature's conflict: the version to save over the server's (asked when both
   * changed a field). True when someone else deleted the feature and the change was dropped.
   */
  private async resolveConflict(key: string): Promise<boolean> {
    const session = this.session!;
    const layer = this.layer!;
    const mine = session.get(key);
    const id = Number(key.slice(1));
    let theirs;
    try {
      theirs = await fetchFeatureWithETag(layer.id, id);
    } catch (error) {
      if (!(error instanceof ApiProblem && error.status === 404)) throw error;
      // deleted by someone else: a change is dropped, never forced back; a deletion is done
      if (mine) {
        const { geometry, properties } = mine;
        session.acceptServerVersion({ key, id, geometry, properties });
        session.remove(key);
      }
      session.markSaved([{ key, id }]);
      return mine !== undefined;
    }
    const history = await fetchHistory(layer.id, id).catch(() => []);
    const who = history.at(-1)?.changedBy ?? '?';
    const server: WorkingFeature = {
      key,
      id,
      etag: theirs.etag,
      geometry: theirs.feature.geometry,
      properties: theirs.feature.properties,
    };
    if (!mine) {
      session.rebase(server);
      return false;
    }

    const base = session.storedVersion(key) ?? server;
    const names = layer.attributes.filter((a) => !a.computed).map((a) => a.name);
    const comparison = compareVersions(names, base, mine, server);
    // only someone else's changes to fields the user left alone: theirs stay, no question
    if (comparison.conflicts.length === 0) {
      session.rebase(server, mergeVersions(comparison, server));
      return false;
    }

    const resolution = await askConflictResolution(layer, comparison, server, who);
    if (resolution.kind === 'theirs') session.acceptServerVersion(server);
    else session.rebase(server, resolution.version);
    this.render();
    return false;
  }

  /**
   * Why reading or restoring history failed, in the interface language: no answer, a session
   * ended (the login dialog opens), the server's trouble, else the server's own words.
   */
  private reasonOf(error: unknown): string {
    this.askToLogInIfEnded(error);
    return reasonText(error);
  }

  private askToLogInIfEnded(error: unknown) {
    if (reasonKeyOf(error) === 'reason.sessionEnded') askToLogIn();
  }

  /** Says `key` with the reason of `error`, worded again in the language switched to. */
  private showFailure(key: EditMessageKey, error: unknown) {
    this.statusText = () => editText(key, { reason: reasonText(error) });
    this.status.textContent = this.statusText();
    this.saysSessionEnded = reasonKeyOf(error) === 'reason.sessionEnded';
  }

  /** Reads what a history dialog lists; a failure is said in the status line, not thrown. */
  private async readHistory<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      this.askToLogInIfEnded(error);
      this.showFailure('history.readFailed', error);
      return undefined;
    }
  }

  private async openHistory() {
    const feature = this.selectedKey ? this.session?.get(this.selectedKey) : undefined;
    if (!feature?.id || !this.layer) return this.showStatus('edit.selectFirst');
    const layer = this.layer;
    const id = feature.id;
    const entries = await this.readHistory(() => fetchHistory(layer.id, id));
    if (!entries) return;
    const describe = (error: unknown) =>
      editText('history.restoreFailed', { reason: this.reasonOf(error) });
    showHistoryDialog(
      layer,
      id,
      entries,
      (version) => this.restoreVersionOf(layer, id, version),
      describe,
    );
  }

  /**
   * Restores version `version` of feature `id` and shows it as the server now holds it; false
   * when the feature has changes not saved and the user keeps them (the restore replaced them
   * without a word).
   */
  private async restoreVersionOf(layer: LayerDefinition, id: number, version: number) {
    const unsaved = this.session?.isChanged(storedKey(id));
    const asked = editText('history.confirmRestoreOverChanges', { version });
    if (unsaved && !window.confirm(asked)) return false;
    const { etag } = await fetchFeatureWithETag(layer.id, id).catch(() => ({ etag: undefined }));
    await restoreVersion(layer.id, id, version, etag);
    const fresh = await fetchFeatureWithETag(layer.id, id);
    this.session?.acceptServerVersion({
      key: storedKey(id),
      id,
      etag: fresh.etag,
      geometry: fresh.feature.geometry,
      properties: fresh.feature.properties,
    });
    const geometry = fresh.feature.geometry;
    bus.emit('features-saved', { layerId: layer.id, features: [{ featureId: id, geometry }] });
    this.dataLayerOf(layer.id)?.getSource()?.refresh();
    this.render();
    this.showStatus('history.restored', { version });
    return true;
  }

  /** Recently deleted features of the layer, to bring one back as a new edit. */
  private async openDeleted() {
    const layer = this.layer!;
    const changes = await this.readHistory(() => fetchLayerChanges(layer.id));
    if (!changes) return;
    const describe = (error: unknown) =>
      editText('history.restoreFailed', { reason: this.reasonOf(error) });
    const restore = async (entry: HistoryEntry) => {
      await restoreVersion(layer.id, entry.featureId, entry.versionBefore!);
      this.dataLayerOf(layer.id)?.getSource()?.refresh();
      await this.loadFeatures();
      this.showStatus('history.restored', { version: entry.versionBefore! });
    };
    showDeletedDialog(layer, deletedFeatures(changes), restore, describe);
  }

  private locate() {
    if (!navigator.geolocation) return this.showStatus('edit.locateFailed');
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const { longitude, latitude } = position.coords;
        const center = transformExtent(
          [longitude, latitude, longitude, latitude],
          'EPSG:4326',
          'EPSG:3857',
        );
        this.map.getView().animate({ center: [center[0]!, center[1]!], zoom: 18, duration: 300 });
      },
      () => this.showStatus('edit.locateFailed'),
      { enableHighAccuracy: true, timeout: 15000 },
    );
  }

  /**
   * Opens a feature for editing, as asked from its popup: its layer (unless the user keeps
   * unsaved changes of another), the map close enough to edit around `coordinate`, its form.
   */
  editFeature(layerId: string, featureId: number, coordinate: number[]) {
    if (this.layer?.id !== layerId) {
      this.layerSelect.value = layerId;
      this.chooseLayer(layerId);
    }
    if (this.layer?.id !== layerId) return;
    bus.emit('edit-start', { layerId });

    const view = this.map.getView();
    if ((view.getZoom() ?? 0) < editMinZoom) view.animate({ center: coordinate, zoom: 17 });
    void this.selectForEditing(storedKey(featureId));
  }

  /**
   * Measuring takes the map's clicks: the drawing tool and the selection are put down (a
   * selected feature's vertices would otherwise move under a measuring tap). Pending changes
   * stay in the session.
   */
  yieldToMeasuring() {
    if (!this.layer) return;
    this.setTool('select');
    this.select(undefined);
  }

  /**
   * The Informasi Tata Ruang sheet takes the map's taps: a line or shape being drawn or split
   * is put down; the feature selected keeps its form and its changes.
   */
  yieldToPlanLookup() {
    if (this.layer && this.tool !== 'select') this.setTool('select');
  }

  /** Before a logout: false keeps the user logged in, to save the changes first. */
  confirmLogout(): boolean {
    if (!this.session?.hasChanges) return true;
    if (!window.confirm(editText('edit.confirmLogout'))) return false;
    // agreed to drop them: the session's end must not ask a second time
    this.session.discard();
    return true;
  }

  /** Selects a loaded feature by its key, as a tap on it would (browser tests, console). */
  selectFeature(key: string) {
    void this.selectForEditing(key);
  }

  /** For browser tests and the console: the session of the layer being edited. */
  get currentSession() {
    return this.session;
  }
}

declare global {
  interface Window {
    /** The editor, for browser tests and the console. */
    __simpulEditor?: Editor;
  }
}

// TODO: the layers come from the client configuration read at page load; a layer that only
// becomes readable by logging in (not public) is offered for editing after a page reload.
/**
 * Mounts the editor: its panel section at the top of `panel`, its toolbar over `mapElement`.
 * Mount it before identify, so that while editing a click on the map edits.
 */
export function mountEditor(
  map: Map,
  panel: HTMLElement,
  mapElement: HTMLElement,
  config: ClientConfig,
) {
  const editor = new Editor(map, config.layers);
  panel.prepend(editor.section);
  mapElement.append(editor.toolbar);
  onSessionChange((session) => editor.applySession(session));
  checkBeforeLogout(() => editor.confirmLogout());
  // a reload, a closed tab or a followed link would drop the changes not saved without a word:
  // the browser asks first (its own words; a page may not choose them)
  window.addEventListener('beforeunload', (event) => {
    if (editor.currentSession?.hasChanges) event.preventDefault();
  });
  bus.on('edit-request', ({ layerId, featureId, coordinate }) =>
    editor.editFeature(layerId, featureId, coordinate),
  );
  bus.on('measure-start', () => editor.yieldToMeasuring());
  bus.on('plan-lookup-toggle', ({ open }) => open && editor.yieldToPlanLookup());
  bus.on('language-change', () => editor.relabel());
  window.__simpulEditor = editor;
}
