/**
 * Measuring on the map: a ruler button among the map's controls opens a bar where one chooses
 * distance or area, taps the points (or adds the point under the cross at the map's centre,
 * from the keyboard or for a precise tap on a phone), and reads the geodesic figure live.
 * Finished measurements stay on the map, labelled, until cleared or the bar is closed.
 */
import type Feature from 'ol/Feature.js';
import type Map from 'ol/Map.js';
import type { FeatureLike } from 'ol/Feature.js';
import Control from 'ol/control/Control.js';
import type LineString from 'ol/geom/LineString.js';
import Point from 'ol/geom/Point.js';
import type Polygon from 'ol/geom/Polygon.js';
import Draw from 'ol/interaction/Draw.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import { Circle, Fill, Stroke, Style, Text } from 'ol/style.js';
import { bus } from '../events/event-bus.js';
import { element } from '../plan-lookup/render-plan-information.js';
import { formatArea, formatLength, measureGeometry, type Measurement } from './measure-geometry.js';
import { measureText, type MeasureMessageKey } from './measure-messages.js';
import './measure.css';
import { lineIcon } from '../icons/line-icon.js';

type MeasureKind = 'length' | 'area';

const lineColor = '#c2410c';

const vertexStyle = new Style({
  image: new Circle({
    radius: 5,
    fill: new Fill({ color: '#ffffff' }),
    stroke: new Stroke({ color: lineColor, width: 2 }),
  }),
});

/** The figure of a measurement in the interface language, as the bar and the labels show it. */
export function describeMeasurement(measurement: Measurement): string {
  if (measurement.kind === 'length') {
    return measureText('measure.lengthResult', { length: formatLength(measurement.lengthM) });
  }
  const area = formatArea(measurement.areaM2);
  return measureText('measure.areaResult', {
    area,
    perimeter: formatLength(measurement.perimeterM),
  });
}

function labelOf(measurement: Measurement): string {
  if (measurement.kind === 'length') return formatLength(measurement.lengthM);
  return formatArea(measurement.areaM2);
}

function isMeasurable(geometry: unknown): geometry is LineString | Polygon {
  const type = (geometry as { getType?: () => string } | undefined)?.getType?.();
  return type === 'LineString' || type === 'Polygon';
}

function button(key: MeasureMessageKey, action: string): HTMLButtonElement {
  const created = element('button', 'measure-bar__button');
  created.type = 'button';
  created.dataset.action = action;
  created.dataset.text = key;
  return created;
}

/** The measuring tool's state and its wiring to the map. */
class MeasureTool {
  private kind: MeasureKind | undefined;
  private draw: Draw | undefined;
  /** The latest figure: of the drawing in progress, else of the last one finished. */
  private measurement: Measurement | undefined;
  /** The drawing in progress, if one is. */
  private sketch: Feature | undefined;
  private readonly source = new VectorSource();
  private readonly layer = new VectorLayer({
    source: this.source,
    zIndex: 1100,
    style: (feature) => this.finishedStyle(feature),
  });
  readonly bar = element('div', 'measure-bar');
  readonly openButton = element('button', 'measure-control__button');
  private readonly result = element('output', 'measure-bar__result');
  private readonly crosshair = element('div', 'map-crosshair measure-crosshair');

  constructor(private readonly map: Map) {
    this.buildBar();
    this.openButton.type = 'button';
    this.openButton.append(rulerIcon());
    this.openButton.addEventListener('click', () => (this.kind ? this.close() : this.start()));
    this.crosshair.hidden = true;
    this.crosshair.setAttribute('aria-hidden', 'true');
    map.getTargetElement()?.append(this.bar, this.crosshair);
    // Registered before the editor's and identify's listeners: a measuring tap does nothing else.
    map.on('singleclick', (event) => {
      if (this.kind) event.stopPropagation();
    });
    document.addEventListener('keydown', (event) => this.handleKey(event));
  }

  get isMeasuring() {
    return this.kind !== undefined;
  }

  private buildBar() {
    this.bar.hidden = true;
    this.bar.setAttribute('role', 'toolbar');
    this.result.setAttribute('aria-live', 'polite');
    const modes = element('div', 'measure-bar__modes');
    modes.append(button('measure.length', 'length'), button('measure.area', 'area'));
    const actions = element('div', 'measure-bar__actions');
    actions.append(
      button('measure.addCentre', 'add-centre'),
      button('measure.undoPoint', 'undo-point'),
      button('measure.finish', 'finish'),
      button('measure.clear', 'clear'),
    );
    const close = button('measure.close', 'close');
    close.classList.add('measure-bar__close');
    close.textContent = '×';
    this.bar.append(modes, close, this.result, actions);
    this.bar.addEventListener('click', (event) => this.runAction(event));
  }

  private runAction(event: Event) {
    const target = (event.target as HTMLElement).closest<HTMLElement>('[data-action]');
    const action = target?.dataset.action;
    if (action === 'length' || action === 'area') this.start(action);
    if (action === 'add-centre') this.addCentre();
    if (action === 'undo-point') this.draw?.removeLastPoint();
    if (action === 'finish') this.finish();
    if (action === 'clear') this.clear();
    if (action === 'close') this.close();
  }

  /** Starts measuring `kind` (a distance at first); the editor lets go of the map's clicks. */
  start(kind: MeasureKind = this.kind ?? 'length') {
    if (!this.kind) {
      bus.emit('measure-start', {});
      this.map.addLayer(this.layer);
    }
    this.kind = kind;
    this.measurement = undefined;
    this.replaceDraw(kind);
    this.bar.hidden = false;
    this.crosshair.hidden = false;
    this.render();
  }

  private replaceDraw(kind: MeasureKind) {
    if (this.draw) this.map.removeInteraction(this.draw);
    const type = kind === 'length' ? 'LineString' : 'Polygon';
    const draw = new Draw({ source: this.source, type, style: (f) => this.sketchStyle(f) });
    draw.on('drawstart', (event) => this.follow(event.feature));
    draw.on('drawend', (event) => this.measured(event.feature));
    draw.on('drawabort', () => {
      this.sketch = undefined;
      this.measurement = undefined;
      this.renderResult();
    });
    this.map.addInteraction(draw);
    this.draw = draw;
  }

  /** Follows the drawing in progress, so the figure changes with each point and move. */
  private follow(sketch: Feature) {
    this.sketch = sketch;
    const geometry = sketch.getGeometry();
    geometry?.on('change', () => {
      if (isMeasurable(geometry)) this.measurement = this.measure(geometry);
      this.renderResult();
    });
  }

  private measured(feature: Feature) {
    this.sketch = undefined;
    const geometry = feature.getGeometry();
    if (isMeasurable(geometry)) this.measurement = this.measure(geometry);
    this.renderResult();
  }

  private measure(geometry: LineString | Polygon): Measurement {
    return measureGeometry(geometry, this.map.getView().getProjection());
  }

  /** Ends the drawing in progress, once it has the points its figure needs. */
  private finish() {
    const geometry = this.sketch?.getGeometry();
    if (!this.draw || !isMeasurable(geometry)) return;
    // The sketch carries the pointer's position as its last point, an area its closing one too.
    const points =
      geometry.getType() === 'Polygon'
        ? (geometry as Polygon).getLinearRing(0)!.getCoordinates().length - 2
        : (geometry as LineString).getCoordinates().length - 1;
    if (points >= (this.kind === 'area' ? 3 : 2)) this.draw.finishDrawing();
  }

  /** Adds the point under the cross at the map's centre, as a tap there would. */
  private addCentre() {
    const centre = this.map.getView().getCenter();
    if (centre && this.draw) this.draw.appendCoordinates([centre]);
  }

  /** Removes every measurement and the one in progress; measuring goes on. */
  clear() {
    this.draw?.abortDrawing();
    this.source.clear();
    this.measurement = undefined;
    this.renderResult();
  }

  /** Ends measuring: the bar closes, the measurements leave the map. */
  close() {
    if (!this.kind) return;
    this.clear();
    if (this.draw) this.map.removeInteraction(this.draw);
    this.draw = undefined;
    this.kind = undefined;
    this.map.removeLayer(this.layer);
    this.bar.hidden = true;
    this.crosshair.hidden = true;
    this.render();
  }

  private handleKey(event: KeyboardEvent) {
    if (!this.kind) return;
    const target = event.target as HTMLElement | null;
    if (target?.closest('input, select, textarea, dialog')) return;
    if (event.key === 'Escape') {
      // a first Escape drops the drawing in progress, a second one ends measuring
      if (this.measurementInProgress()) this.draw?.abortDrawing();
      else this.close();
    }
    if (event.key === 'Backspace' && this.measurementInProgress()) {
      event.preventDefault();
      this.draw?.removeLastPoint();
    }
  }

  private measurementInProgress(): boolean {
    return this.sketch !== undefined;
  }

  /** Draws every text of the tool in the interface language. */
  render() {
    for (const node of this.bar.querySelectorAll<HTMLElement>('[data-text]')) {
      const text = measureText(node.dataset.text as MeasureMessageKey);
      if (node.dataset.action === 'close') node.setAttribute('aria-label', text);
      else node.textContent = text;
      node.title = text;
    }
    const centreLabel = measureText('measure.addCentreLabel');
    const addCentre = this.bar.querySelector<HTMLElement>('[data-action="add-centre"]')!;
    addCentre.title = centreLabel;
    addCentre.setAttribute('aria-label', centreLabel);
    for (const mode of this.bar.querySelectorAll<HTMLElement>('.measure-bar__modes button')) {
      mode.setAttribute('aria-pressed', String(mode.dataset.action === this.kind));
    }
    this.bar.setAttribute('aria-label', measureText('measure.toolbar'));
    this.openButton.title = measureText('measure.open');
    this.openButton.setAttribute('aria-label', measureText('measure.open'));
    this.openButton.setAttribute('aria-pressed', String(this.isMeasuring));
    this.renderResult();
    this.layer.changed();
  }

  private renderResult() {
    const hint = this.kind === 'area' ? 'measure.hintArea' : 'measure.hintLength';
    const text = this.measurement ? describeMeasurement(this.measurement) : measureText(hint);
    this.result.textContent = text;
    this.result.classList.toggle('measure-bar__result--hint', !this.measurement);
  }

  private finishedStyle(feature: FeatureLike): Style[] {
    const geometry = feature.getGeometry();
    if (!isMeasurable(geometry)) return [];
    return this.shapeStyles(geometry, false);
  }

  /** The drawing in progress: its line or area labelled live, and the vertex under the pointer. */
  private sketchStyle(feature: FeatureLike): Style[] {
    const geometry = feature.getGeometry();
    if (geometry?.getType() === 'Point') return [vertexStyle];
    // An area's sketch also carries the line of its edges: only the area is labelled.
    const labelled = (geometry?.getType() === 'Polygon') === (this.kind === 'area');
    if (!isMeasurable(geometry) || !labelled) return [this.lineStyle(true)];
    return this.shapeStyles(geometry, true);
  }

  private shapeStyles(geometry: LineString | Polygon, dashed: boolean): Style[] {
    const measurement = this.measure(geometry);
    const at =
      geometry.getType() === 'Polygon'
        ? (geometry as Polygon).getInteriorPoint()
        : new Point((geometry as LineString).getLastCoordinate());
    const label = new Style({ geometry: at, text: labelText(labelOf(measurement)) });
    return [this.lineStyle(dashed), label];
  }

  private lineStyle(dashed: boolean): Style {
    return new Style({
      stroke: new Stroke({ color: lineColor, width: 3, lineDash: dashed ? [8, 6] : undefined }),
      fill: new Fill({ color: 'rgba(194, 65, 12, 0.12)' }),
    });
  }
}

/** A ruler drawn in SVG, so the control needs no icon file. */
function rulerIcon(): SVGSVGElement {
  return lineIcon('M2 13 13 2l5 5L7 18zM5 10l2 2M8 7l2 2M11 4l2 2', 1.6);
}

function labelText(text: string): Text {
  return new Text({
    text,
    font: '600 13px system-ui, sans-serif',
    offsetY: -14,
    fill: new Fill({ color: '#1f2328' }),
    stroke: new Stroke({ color: '#ffffff', width: 4 }),
    overflow: true,
  });
}

/**
 * Adds the ruler button to the map's controls and the measuring bar over the map. Mount it
 * before the editor and identify, so that while measuring a tap on the map measures only.
 */
export function mountMeasure(map: Map) {
  const tool = new MeasureTool(map);
  const control = element('div', 'ol-unselectable ol-control measure-control');
  control.append(tool.openButton);
  map.addControl(new Control({ element: control }));

  bus.on('edit-start', () => tool.close());
  // the plan sheet takes the map's clicks: measuring went on taking them, and no tap asked it
  bus.on('plan-lookup-toggle', ({ open }) => open && tool.close());
  bus.on('language-change', () => tool.render());
  tool.render();
  return tool;
}
