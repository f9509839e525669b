import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import type Map from 'ol/Map.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import { Fill, Stroke, Style } from 'ol/style.js';
import type { FeatureLike } from 'ol/Feature.js';
import {
  analysisCsvUrl,
  fetchHazardExposure,
  fetchIrrigationCondition,
  fetchLayerGeoJson,
  fetchRoadCondition,
  type HazardExposureReport,
  type IrrigationConditionReport,
  type RoadConditionReport,
  type UnitLayer,
} from '../api/analysis-api.js';
import { focusWithSheet } from '../app-bar/mount-app-bar.js';
import { bus } from '../events/event-bus.js';
import { failureReason } from '../plan-lookup/failure-reason.js';
import { planText, pickText, type PlanMessageKey } from '../plan-lookup/plan-lookup-messages.js';
import { element, renderSampleNote } from '../plan-lookup/render-plan-information.js';
import { mapSheetClass } from '../map/visible-centre.js';
import {
  barChartOptions,
  exposedPopulationByUnit,
  exposureChart,
  exposureTable,
  findPeriod,
  irrigationChart,
  irrigationTable,
  kemantapanTrend,
  listHazardTypes,
  roadChart,
  roadTable,
  trendChartOptions,
  type BarChartView,
  type ViewTable,
} from './dashboard-views.js';
import './dashboard.css';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);

type Tab = 'exposure' | 'roads' | 'irrigation';

const tabs: [Tab, PlanMessageKey][] = [
  ['exposure', 'dashboard.exposure'],
  ['roads', 'dashboard.roads'],
  ['irrigation', 'dashboard.irrigation'],
];

function renderTable(table: ViewTable, withTotal = false) {
  const head = element('tr', '', ...table.headers.map((h) => element('th', '', h)));
  // a narrow sheet shows each row as a card, each value named by its column's header
  const cellOf = (text: string, column: number) => {
    const cell = element('td', '', text);
    cell.dataset.label = table.headers[column];
    return cell;
  };
  const rows = table.rows.map((row) => element('tr', '', ...row.map(cellOf)));
  return element(
    'div',
    'dashboard__table-wrap',
    element(
      'table',
      withTotal ? 'dashboard__table dashboard__table--total' : 'dashboard__table',
      element('thead', '', head),
      element('tbody', '', ...rows),
    ),
  );
}

function csvLink(href: string) {
  const link = element('a', 'dashboard__csv', planText('dashboard.csv'));
  link.href = href;
  link.setAttribute('download', '');
  return link;
}

/** A sequential colour from pale yellow (0) to dark red (1). */
function heat(share: number) {
  const stops = [
    [255, 255, 204],
    [253, 141, 60],
    [189, 0, 38],
  ];
  const position = Math.min(1, Math.max(0, share)) * (stops.length - 1);
  const [a, b] = [stops[Math.floor(position)]!, stops[Math.ceil(position)]!];
  const t = position - Math.floor(position);
  const mix = a.map((v, i) => Math.round(v + (b[i]! - v) * t));
  return `rgba(${mix.join(', ')}, 0.75)`;
}

/** The planning dashboards beside the map: exposure, road condition, irrigation condition. */
export class Dashboard {
  private tab: Tab = 'exposure';
  private hazardType: string | undefined;
  private roadYear: number | null = null;
  /** The road status the road statistics are narrowed to ('' for every road). */
  private roadStatus = '';
  private exposure: HazardExposureReport | undefined;
  private roads: RoadConditionReport | undefined;
  private irrigation: IrrigationConditionReport | undefined;
  /** Why the tab could not load (worded at each drawing); undefined while it has not failed. */
  private failure: unknown;
  /** Raised at each change of user: answers to requests of an older one are dropped. */
  private generation = 0;
  private charts: Chart[] = [];
  private readonly unitSource = new VectorSource();
  private unitLayerId: string | undefined;
  private unitValues = new globalThis.Map<string, string>();
  private unitCodeAttribute = 'code';
  private readonly unitLayer = new VectorLayer({
    // a canvas of its own, which the view export leaves out: the image has no legend for it
    className: 'dashboard-colouring',
    source: this.unitSource,
    zIndex: 900,
    style: (feature) => this.unitStyle(feature),
  });
  readonly sheet = element('aside', `dashboard ${mapSheetClass}`);

  constructor(private readonly map: Map) {
    this.sheet.hidden = true;
  }

  get isOpen() {
    return !this.sheet.hidden;
  }

  toggle(open = !this.isOpen) {
    this.sheet.hidden = !open;
    if (open) {
      this.map.addLayer(this.unitLayer);
      void this.load();
    } else {
      this.map.removeLayer(this.unitLayer);
    }
    this.render();
  }

  /**
   * Drops every report and the kecamatan shapes read so far (after a logout or a change of
   * user they were read with someone else's rights), and reads the open tab afresh.
   */
  forget() {
    this.exposure = undefined;
    this.roads = undefined;
    this.irrigation = undefined;
    this.failure = undefined;
    this.unitValues = new globalThis.Map();
    this.unitLayerId = undefined;
    this.unitSource.clear();
    this.generation += 1;
    if (this.isOpen) void this.load();
    else this.render();
  }

  private async load() {
    const generation = this.generation;
    this.failure = undefined;
    this.render();
    try {
      // an answer asked before a change of user is not kept: it was read with other rights
      const keep = <Report>(report: Report) =>
        generation === this.generation ? report : undefined;
      if (this.tab === 'exposure') this.exposure ??= keep(await fetchHazardExposure());
      if (this.tab === 'roads') this.roads ??= keep(await fetchRoadCondition(this.roadStatus));
      if (this.tab === 'irrigation') this.irrigation ??= keep(await fetchIrrigationCondition());
    } catch (error) {
      if (generation === this.generation) this.failure = error;
    }
    const unitLayer = this.tab === 'exposure' ? this.exposure?.unitLayer : this.roads?.unitLayer;
    if (this.tab !== 'irrigation' && unitLayer) await this.loadUnits(unitLayer);
    this.render();
  }

  private async loadUnits(unitLayer: UnitLayer) {
    if (this.unitLayerId === unitLayer.layerId) return;
    const generation = this.generation;
    this.unitLayerId = unitLayer.layerId;
    this.unitCodeAttribute = unitLayer.codeAttribute;
    const collection = await fetchLayerGeoJson(unitLayer.layerId).catch(() => undefined);
    if (!collection || generation !== this.generation) return;
    const format = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' });
    this.unitSource.clear();
    this.unitSource.addFeatures(format.readFeatures(collection));
  }

  private unitStyle(feature: FeatureLike) {
    const color = this.unitValues.get(String(feature.get(this.unitCodeAttribute)));
    if (!color || this.tab === 'irrigation') return undefined;
    return new Style({
      fill: new Fill({ color }),
      stroke: new Stroke({ color: '#444444', width: 1 }),
    });
  }

  /** Redraws the sheet and the map colouring for the current tab and language. */
  render() {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
    const close = element('button', 'dashboard__close', '×');
    close.type = 'button';
    close.setAttribute('aria-label', planText('plan.close'));
    close.addEventListener('click', () => this.toggle(false));

    const tabButtons = tabs.map(([tab, label]) => {
      const button = element('button', 'dashboard__tab', planText(label));
      button.type = 'button';
      button.setAttribute('aria-selected', String(tab === this.tab));
      button.addEventListener('click', () => {
        this.tab = tab;
        void this.load();
      });
      return button;
    });
    const header = element(
      'header',
      'dashboard__header',
      element('h2', '', planText('dashboard.title')),
      close,
    );
    this.sheet.replaceChildren(
      header,
      element('nav', 'dashboard__tabs', ...tabButtons),
      this.renderBody(),
    );
    this.unitLayer.changed();
  }

  private renderBody(): HTMLElement {
    if (this.failure !== undefined)
      return element(
        'p',
        'dashboard__failed',
        planText('dashboard.failed', { reason: failureReason(this.failure) }),
      );
    if (this.tab === 'exposure' && this.exposure) return this.renderExposure(this.exposure);
    if (this.tab === 'roads' && this.roads) return this.renderRoads(this.roads);
    if (this.tab === 'irrigation' && this.irrigation) return this.renderIrrigation(this.irrigation);
    return element('p', 'dashboard__loading', planText('dashboard.loading'));
  }

  private renderExposure(report: HazardExposureReport) {
    const types = listHazardTypes(report);
    this.hazardType ??= types[0]?.code;
    const select = element('select', 'dashboard__select');
    for (const type of types) {
      const option = element('option', '', type.label);
      option.value = type.code;
      select.append(option);
    }
    select.value = this.hazardType ?? '';
    select.addEventListener('change', () => {
      this.hazardType = select.value;
      this.render();
    });

    const hazardType = this.hazardType ?? '';
    const byUnit = exposedPopulationByUnit(report, hazardType);
    const max = Math.max(1, ...byUnit.values());
    this.unitValues = new globalThis.Map(
      [...byUnit].map(([code, people]) => [code, heat(people / max)]),
    );
    return element(
      'div',
      'dashboard__body',
      ...renderSampleNote(report.sampleSources),
      element('label', 'dashboard__field', planText('dashboard.hazardType'), select),
      this.barChart(exposureChart(report, hazardType), planText('dashboard.population')),
      renderTable(exposureTable(report, hazardType)),
      element('p', 'dashboard__note', pickText(report.method)),
      element(
        'p',
        'dashboard__note',
        planText('dashboard.mapNote', { what: planText('dashboard.population').toLowerCase() }),
      ),
      csvLink(analysisCsvUrl('hazard-exposure')),
    );
  }

  private renderRoads(report: RoadConditionReport) {
    const select = element('select', 'dashboard__select');
    for (const period of report.periods) {
      const option = element(
        'option',
        '',
        period.year === null ? planText('dashboard.current') : String(period.year),
      );
      option.value = period.year === null ? '' : String(period.year);
      select.append(option);
    }
    select.value = this.roadYear === null ? '' : String(this.roadYear);
    select.addEventListener('change', () => {
      this.roadYear = select.value ? Number(select.value) : null;
      this.render();
    });

    const period = findPeriod(report, this.roadYear);
    // Red for no good roads, green for all good: the usual condition colours.
    this.unitValues = new globalThis.Map(
      period.units.map((u) => [
        u.code,
        u.kemantapan === null ? 'rgba(200, 200, 200, 0.6)' : heat(1 - u.kemantapan),
      ]),
    );
    return element(
      'div',
      'dashboard__body',
      ...renderSampleNote(report.sampleSources),
      element(
        'label',
        'dashboard__field',
        planText('dashboard.roadStatus'),
        this.statusSelect(report),
      ),
      this.trendChart(report),
      element('label', 'dashboard__field', planText('dashboard.year'), select),
      this.barChart(roadChart(report, this.roadYear), planText('dashboard.totalKm')),
      renderTable(roadTable(report, this.roadYear), true),
      element('p', 'dashboard__note', pickText(report.method)),
      element(
        'p',
        'dashboard__note',
        planText('dashboard.mapNote', { what: planText('dashboard.kemantapan').toLowerCase() }),
      ),
      csvLink(analysisCsvUrl('road-condition', this.roadStatus && `status=${this.roadStatus}`)),
    );
  }

  /**
   * The choice of road status: regency roads alone give the regency's own kemantapan, the
   * figure its plans report; national and provincial roads are other governments' to keep.
   */
  private statusSelect(report: RoadConditionReport) {
    const select = element('select', 'dashboard__select dashboard__status');
    const all = element('option', '', planText('dashboard.allRoads'));
    all.value = '';
    select.append(all);
    for (const status of report.statusLabels) {
      const option = element('option', '', pickText(status));
      option.value = status.code;
      select.append(option);
    }
    select.value = this.roadStatus;
    select.addEventListener('change', () => {
      this.roadStatus = select.value;
      this.roads = undefined;
      this.roadYear = null;
      void this.load();
    });
    return select;
  }

  private renderIrrigation(report: IrrigationConditionReport) {
    this.unitValues = new globalThis.Map();
    return element(
      'div',
      'dashboard__body',
      ...renderSampleNote(report.sampleSources),
      this.barChart(irrigationChart(report), planText('dashboard.canalKm')),
      renderTable(irrigationTable(report)),
      element('p', 'dashboard__note', pickText(report.method)),
      csvLink(analysisCsvUrl('irrigation-condition')),
    );
  }

  private barChart(view: BarChartView, axisTitle: string) {
    const canvas = element('canvas', '');
    const box = element('div', 'dashboard__chart', canvas);
    box.style.height = `${Math.max(160, view.labels.length * 18 + 60)}px`;
    this.charts.push(
      new Chart(canvas, {
        type: 'bar',
        data: {
          labels: view.labels,
          datasets: view.series.map((s) => ({
            label: s.label,
            data: s.values,
            backgroundColor: s.color,
          })),
        },
        options: barChartOptions(axisTitle),
      }),
    );
    return box;
  }

  private trendChart(report: RoadConditionReport) {
    const trend = kemantapanTrend(report);
    const canvas = element('canvas', '');
    const box = element('div', 'dashboard__chart dashboard__chart--trend', canvas);
    this.charts.push(
      new Chart(canvas, {
        type: 'line',
        data: {
          labels: trend.map((t) => t.label),
          datasets: [
            {
              label: planText('dashboard.kemantapanTrend'),
              data: trend.map((t) => t.percent),
              borderColor: '#1a9641',
              backgroundColor: '#1a9641',
            },
          ],
        },
        options: trendChartOptions(),
      }),
    );
    return box;
  }
}

/** Adds the dashboard button to the app bar's `tools` and the dashboard sheet beside the map. */
export function mountDashboard(map: Map, tools: HTMLElement) {
  const dashboard = new Dashboard(map);
  const button = element('button', 'app-bar__button app-bar__button--text dashboard__open', '');
  button.type = 'button';
  button.addEventListener('click', () => {
    dashboard.toggle();
    if (dashboard.isOpen) bus.emit('sheet-open', { sheet: 'dashboard' });
  });
  const close = () => dashboard.isOpen && dashboard.toggle(false);
  bus.on('sheet-open', ({ sheet }) => sheet !== 'dashboard' && close());
  bus.on('panel-open', close);
  tools.append(button);
  map.getTargetElement()?.append(dashboard.sheet);
  focusWithSheet(button, dashboard.sheet, close);

  const relabel = () => {
    button.textContent = planText('dashboard.open');
    dashboard.render();
  };
  bus.on('language-change', relabel);
  bus.on('session-change', () => dashboard.forget());
  relabel();
  return dashboard;
}
