import Feature from 'ol/Feature.js';
import type Map from 'ol/Map.js';
import type MapBrowserEvent from 'ol/MapBrowserEvent.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import type Geometry from 'ol/geom/Geometry.js';
import Point from 'ol/geom/Point.js';
import Draw from 'ol/interaction/Draw.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import { Circle, Fill, Stroke, Style } from 'ol/style.js';
import {
  fetchPlanActivities,
  fetchPlanInformation,
  fetchPlanPrint,
  type Place,
  type PlanActivity,
  type PlanInformation,
  type PrintFormat,
} from '../api/analysis-api.js';
import { ApiRequestError } from '../api/client-api.js';
import { focusWithSheet, redrawKeepingFocus } from '../app-bar/mount-app-bar.js';
import { bus } from '../events/event-bus.js';
import { renderFilePicker } from '../file-picker/render-file-picker.js';
import './plan-lookup.css';
import { failureReason } from './failure-reason.js';
import { planText, pickText, type PlanMessageKey } from './plan-lookup-messages.js';
import { readParcelGeoJson } from './read-parcel-file.js';
import { element, renderPlanInformation } from './render-plan-information.js';
import { overlayClassName } from '../map/overlay-class.js';
import { mapSheetClass, visibleCentrePixel } from '../map/visible-centre.js';

type Mode = 'point' | 'draw' | 'upload';

/**
 * The server's refusals of a place that the sheet words in the interface's language (their
 * detail is English); any other is shown with its detail.
 */
const wordedRefusals: Record<string, PlanMessageKey> = {
  'place-outside-regency': 'plan.outsideRegency',
  'place-without-area': 'plan.withoutArea',
  'invalid-place-geometry': 'plan.unrepairable',
  'place-too-complex': 'plan.tooComplex',
};

const geoJson = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' });

const placeStyle = new Style({
  stroke: new Stroke({ color: '#111111', width: 3 }),
  fill: new Fill({ color: 'rgba(255, 235, 59, 0.25)' }),
  image: new Circle({
    radius: 7,
    fill: new Fill({ color: '#d7191c' }),
    stroke: new Stroke({ color: '#ffffff', width: 2 }),
  }),
});

/**
 * The Informasi Tata Ruang tool: a button in the app bar opens a sheet beside the map where
 * the planner clicks a point, draws a parcel or uploads one, picks an activity, and reads the
 * zones, the activity answer and the warnings; the answer prints as one page, PDF or PNG.
 * Mount it before the editor and identify: while the tool is open, a click on the map asks
 * the plan.
 */
export class PlanLookup {
  private mode: Mode = 'point';
  private place: Place | undefined;
  private activity = '';
  private activities: PlanActivity[] = [];
  private info: PlanInformation | undefined;
  /** The name of the parcel file last chosen; the picker is drawn anew with the sheet. */
  private parcelFileName: string | undefined;
  /** What the sheet says; `error` is worded at each drawing, in the language of the moment. */
  private status: { key: PlanMessageKey; reason?: string; error?: unknown } | undefined;
  private request: AbortController | undefined;
  /** Raised at each change of user: answers to requests of an older one are dropped. */
  private generation = 0;
  private readonly source = new VectorSource();
  private readonly layer = new VectorLayer({
    source: this.source,
    style: placeStyle,
    zIndex: 1000,
    className: overlayClassName,
  });
  private readonly draw = new Draw({ source: new VectorSource(), type: 'Polygon' });
  readonly sheet = element('aside', `plan-lookup ${mapSheetClass}`);
  /** The cross over the centre of the map in view, where "ask about the centre" asks. */
  readonly crosshair = element('div', 'map-crosshair plan-crosshair');

  constructor(private readonly map: Map) {
    this.sheet.hidden = true;
    this.crosshair.hidden = true;
    this.crosshair.setAttribute('aria-hidden', 'true');
    this.draw.on('drawend', (event) => this.drawn(event.feature.getGeometry()!));
    map.on('singleclick', (event) => this.clicked(event));
    map.on('change:size', () => this.placeCrosshair());
    // Enter on the focused map asks about its centre, as the sheet's button does; the map's
    // own tap at its centre (map/keyboard-tap.ts) is then not made
    map.getTargetElement()?.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.target !== map.getTargetElement()) return;
      if (!this.isOpen || this.mode !== 'point') return;
      event.preventDefault();
      this.askCentre();
    });
  }

  get isOpen() {
    return !this.sheet.hidden;
  }

  /** Opens or closes the sheet; closed, the map's clicks go back to the editor and identify. */
  toggle(open = !this.isOpen) {
    if (open === this.isOpen) return;
    this.sheet.hidden = !open;
    if (open) {
      this.map.addLayer(this.layer);
      if (this.activities.length === 0) void this.loadActivities();
    } else {
      this.map.removeLayer(this.layer);
      this.map.removeInteraction(this.draw);
    }
    this.setMode(this.mode);
    bus.emit('plan-lookup-toggle', { open });
  }

  private setMode(mode: Mode) {
    this.mode = mode;
    this.map.removeInteraction(this.draw);
    if (this.isOpen && mode === 'draw') this.map.addInteraction(this.draw);
    this.render();
  }

  /**
   * Drops the place, its answer and the activity list (after a logout or a change of user they
   * were read with someone else's rights); an answer still on its way is abandoned.
   */
  forget() {
    this.request?.abort();
    this.generation += 1;
    this.place = undefined;
    this.info = undefined;
    this.parcelFileName = undefined;
    this.status = undefined;
    this.activities = [];
    this.source.clear();
    if (this.isOpen) void this.loadActivities();
    this.render();
  }

  private async loadActivities() {
    const generation = this.generation;
    const activities = await fetchPlanActivities().catch(() => []);
    if (generation !== this.generation) return;
    this.activities = activities;
    this.render();
  }

  private clicked(event: MapBrowserEvent) {
    if (!this.isOpen || this.mode === 'upload') return;
    // The tool owns map clicks while it is open to click or draw (no identify popup): a popup
    // opened at a parcel's corner would take the clicks meant for the next corners.
    event.stopPropagation();
    if (this.mode === 'draw') return;
    const point = new Point(event.coordinate);
    void this.ask(geoJson.writeGeometryObject(point) as Place, point);
  }

  /**
   * Asks about the point under the cross: the centre of the part of the map the sheet leaves
   * in view (the sheet lies along the map's right edge, on a phone along its bottom), so a
   * planner without a mouse asks about a place by moving the map (search, arrow keys).
   */
  askCentre() {
    const pixel = visibleCentrePixel(this.map);
    // the pixels of the view drawn last: a move of the view not yet drawn would be missed
    this.map.renderSync();
    const coordinate = pixel && this.map.getCoordinateFromPixel(pixel);
    if (!coordinate) return;
    const point = new Point(coordinate);
    void this.ask(geoJson.writeGeometryObject(point) as Place, point);
  }

  private placeCrosshair() {
    this.crosshair.hidden = !this.isOpen || this.mode !== 'point';
    const pixel = this.crosshair.hidden ? undefined : visibleCentrePixel(this.map);
    if (!pixel) return;
    this.crosshair.style.left = `${pixel[0]}px`;
    this.crosshair.style.top = `${pixel[1]}px`;
  }

  private drawn(geometry: Geometry) {
    void this.ask(geoJson.writeGeometryObject(geometry) as Place, geometry);
  }

  private async uploaded(file: File) {
    try {
      const place = readParcelGeoJson(await file.text());
      const geometry = geoJson.readGeometry(place) as Geometry;
      await this.ask(place, geometry);
      this.map.getView().fit(geometry.getExtent(), { padding: [60, 60, 60, 60], maxZoom: 17 });
    } catch (error) {
      this.status = { key: 'plan.fileInvalid', reason: (error as Error).message };
      this.render();
    }
  }

  private async ask(place: Place, geometry: Geometry) {
    this.place = place;
    this.source.clear();
    this.source.addFeature(new Feature(geometry));
    await this.refresh();
  }

  private async refresh() {
    if (!this.place) return;
    this.request?.abort();
    this.request = new AbortController();
    this.status = { key: 'plan.loading' };
    this.render();
    try {
      this.info = await fetchPlanInformation(this.place, this.activity, this.request.signal);
      this.status = undefined;
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      this.info = undefined;
      const worded = error instanceof ApiRequestError && error.type && wordedRefusals[error.type];
      this.status = worded ? { key: worded } : { key: 'plan.failed', error };
    }
    this.render();
  }

  private async print(format: PrintFormat) {
    if (!this.place) return;
    // Opened at once, while the click still counts as the user's: browsers block later pop-ups.
    const target = format === 'html' ? window.open('', '_blank') : null;
    try {
      const blob = await fetchPlanPrint(this.place, this.activity, format);
      const url = URL.createObjectURL(blob);
      if (target) target.location.href = url;
      else downloadFile(url, `informasi-tata-ruang.${format}`);
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (error) {
      target?.close();
      const busy = error instanceof ApiRequestError && error.type === 'print-busy';
      this.status = busy ? { key: 'plan.printBusy' } : { key: 'plan.printFailed', error };
      this.render();
    }
  }

  /** Redraws the sheet in the interface language. */
  render() {
    redrawKeepingFocus(this.sheet, this.renderParts());
    this.placeCrosshair();
  }

  private renderParts(): Node[] {
    this.sheet.setAttribute('aria-label', planText('plan.title'));
    const close = element('button', 'plan-lookup__close', '×');
    close.type = 'button';
    close.dataset.focusKey = 'close';
    close.setAttribute('aria-label', planText('plan.close'));
    close.addEventListener('click', () => this.toggle(false));
    const header = element(
      'header',
      'plan-lookup__header',
      element('h2', '', planText('plan.title')),
      close,
    );

    const parts: Node[] = [header, this.renderModes(), this.renderActivityPicker()];
    if (this.status)
      parts.push(
        element(
          'p',
          `plan-status plan-status--${this.status.key.replace('plan.', '')}`,
          planText(this.status.key, {
            reason:
              this.status.error === undefined
                ? (this.status.reason ?? '')
                : failureReason(this.status.error),
          }),
        ),
      );
    if (this.info && this.status?.key !== 'plan.loading') {
      parts.push(renderPlanInformation(this.info), this.renderPrintButtons());
    }
    return parts;
  }

  private renderModes() {
    const modes: [Mode, PlanMessageKey, PlanMessageKey][] = [
      ['point', 'plan.modePoint', 'plan.hintPoint'],
      ['draw', 'plan.modeDraw', 'plan.hintDraw'],
      ['upload', 'plan.modeUpload', 'plan.hintUpload'],
    ];
    const buttons = modes.map(([mode, label]) => {
      const button = element('button', 'plan-mode', planText(label));
      button.type = 'button';
      button.setAttribute('aria-pressed', String(mode === this.mode));
      button.dataset.focusKey = `mode-${mode}`;
      button.addEventListener('click', () => this.setMode(mode));
      return button;
    });
    const hint = modes.find(([mode]) => mode === this.mode)![2];
    const hintText = element('p', 'plan-hint', planText(hint));
    const parts: Node[] = [element('div', 'plan-modes', ...buttons), hintText];
    if (this.mode === 'point') {
      const ask = element('button', 'plan-ask-centre', planText('plan.askCentre'));
      ask.type = 'button';
      ask.title = planText('plan.askCentreLabel');
      ask.dataset.focusKey = 'ask-centre';
      ask.addEventListener('click', () => this.askCentre());
      parts.push(ask);
    }
    if (this.mode === 'upload') {
      // the hint asks for the file: it names the picker
      hintText.id = 'plan-hint';
      const picker = renderFilePicker({
        id: 'plan-file',
        labelledBy: hintText.id,
        accept: '.geojson,.json,application/geo+json,application/json',
        chosenName: this.parcelFileName,
        onChoose: (file) => {
          this.parcelFileName = file.name;
          void this.uploaded(file);
        },
      });
      parts.push(picker);
    }
    return element('div', '', ...parts);
  }

  private renderActivityPicker() {
    const select = element('select', 'plan-activity');
    select.dataset.focusKey = 'activity';
    const none = element('option', '', planText('plan.noActivity'));
    none.value = '';
    const options = this.activities.map((activity) => {
      const option = element('option', '', pickText(activity.label));
      option.value = activity.code;
      return option;
    });
    select.append(none, ...options);
    select.value = this.activity;
    select.addEventListener('change', () => {
      this.activity = select.value;
      void this.refresh();
    });
    return element('label', 'plan-field', planText('plan.activity'), select);
  }

  private renderPrintButtons() {
    const formats: [PrintFormat, PlanMessageKey][] = [
      ['html', 'plan.print'],
      ['pdf', 'plan.pdf'],
      ['png', 'plan.png'],
    ];
    const buttons = formats.map(([format, label]) => {
      const button = element('button', 'plan-print', planText(label));
      button.type = 'button';
      button.dataset.format = format;
      button.dataset.focusKey = `print-${format}`;
      button.addEventListener('click', () => void this.print(format));
      return button;
    });
    return element('div', 'plan-prints', ...buttons);
  }
}

function downloadFile(url: string, name: string) {
  const link = element('a', '');
  link.href = url;
  link.download = name;
  link.click();
}

/**
 * Adds the Informasi Tata Ruang button to the app bar's `tools` and its sheet to the page.
 * Mount before the editor and identify, so that while the sheet is open a click on the map
 * asks the plan and does nothing else.
 */
export function mountPlanLookup(map: Map, tools: HTMLElement) {
  const tool = new PlanLookup(map);
  const button = element(
    'button',
    'app-bar__button app-bar__button--text plan-lookup__open',
    planText('plan.openShort'),
  );
  button.type = 'button';
  button.addEventListener('click', () => {
    tool.toggle();
    if (tool.isOpen) bus.emit('sheet-open', { sheet: 'plan-lookup' });
  });
  tools.append(button);
  map.getTargetElement()?.append(tool.sheet, tool.crosshair);
  focusWithSheet(button, tool.sheet, () => tool.toggle(false));

  const relabel = () => {
    // the name starts with the letters shown, so "click ITR" works by voice too; the tooltip
    // spells them out, which an English reader cannot guess
    button.title = planText('plan.openTooltip');
    button.setAttribute('aria-label', planText('plan.openName'));
    tool.render();
  };
  bus.on('language-change', relabel);
  bus.on('session-change', () => tool.forget());
  // measuring takes the map's clicks: the sheet left open answered none of them, or in its
  // drawing mode took them as well, each tap a corner of both the parcel and the measurement
  bus.on('measure-start', () => tool.toggle(false));
  // the editor takes the map's clicks again
  bus.on('edit-start', () => tool.toggle(false));
  bus.on('panel-open', () => tool.toggle(false));
  bus.on('sheet-open', ({ sheet }) => sheet !== 'plan-lookup' && tool.toggle(false));
  relabel();
  return tool;
}
