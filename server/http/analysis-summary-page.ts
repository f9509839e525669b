import type {
  IrrigationConditionReport,
  RoadConditionReport,
} from '../services/condition-statistics-service.js';
import type { HazardExposureReport } from '../services/hazard-exposure-service.js';
import { escapeHtml as e } from './html-page.js';
import { fitToOnePage } from './plan-information-page.js';

const number = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat('id-ID', { style: 'percent', maximumFractionDigits: 1 });

/** What the monthly summary covers. */
export interface SummaryInput {
  regencyName: string;
  generatedAt: Date;
  exposure: HazardExposureReport;
  roads: RoadConditionReport;
  irrigation: IrrigationConditionReport;
}

/** A banner naming the layers of invented sample data the figures read; none when all are real. */
function sampleBanner({ exposure, roads, irrigation }: SummaryInput) {
  const sources = [exposure, roads, irrigation].flatMap((report) => report.sampleSources);
  const titlesId = [...new Set(sources.map((source) => source.titleId))];
  const titlesEn = [...new Set(sources.map((source) => source.titleEn))];
  if (titlesId.length === 0) return '';
  return (
    `<p class="sample">CONTOH: dihitung dari data contoh buatan, bukan data resmi: ` +
    `${e(titlesId.join(', '))}. <i>SAMPLE: computed from invented sample data, not official ` +
    `data: ${e(titlesEn.join(', '))}.</i></p>`
  );
}

function exposureRows(report: HazardExposureReport) {
  return report.hazards.map(
    (h) => `<tr><td>${e(h.hazardTypeLabel.id)}</td><td>${e(h.hazardClassLabel.id)}</td>
      <td class="n">${number.format(h.regency.areaHa)}</td>
      <td class="n">${number.format(h.regency.population)}</td>
      <td class="n">${number.format(h.regency.roadKm)}</td><td class="n">${h.regency.bridges}</td>
      <td class="n">${h.regency.irrigationStructures}</td>
      <td class="n">${h.regency.evacuationPoints}</td></tr>`,
  );
}

function roadRows(report: RoadConditionReport) {
  return report.periods.map((p) => {
    const share = p.regency.kemantapan === null ? '–' : percent.format(p.regency.kemantapan);
    const byClass = report.conditions.map(
      (c) => `<td class="n">${number.format(p.regency.lengthKmByCondition[c.code] ?? 0)}</td>`,
    );
    return `<tr><td>${p.year ?? 'kini / now'}</td><td class="n">${number.format(p.regency.totalKm)}</td>
      ${byClass.join('')}<td class="n"><b>${share}</b></td></tr>`;
  });
}

function irrigationRows(report: IrrigationConditionReport) {
  return report.areas.map((a) => {
    const good = a.canalGoodShare === null ? '–' : percent.format(a.canalGoodShare);
    const iksi = a.iksiMean === null ? '–' : number.format(a.iksiMean);
    return `<tr><td>${e(a.name)}</td><td class="n">${number.format(a.canalKm)}</td>
      <td class="n">${good}</td><td class="n">${a.structures}</td><td class="n">${iksi}</td></tr>`;
  });
}

const style = `
  @page { size: A4 portrait; margin: 10mm 12mm; }
  body { font: 8pt/1.3 "DejaVu Sans", system-ui, sans-serif; margin: 0; color: #111; }
  h1 { font-size: 13pt; color: #1f4e79; margin: 0 0 1mm; }
  h2 { font-size: 9.5pt; color: #1f4e79; margin: 3mm 0 1mm; }
  table { width: 100%; border-collapse: collapse; }
  th, td { border-bottom: 1px solid #bbb; padding: 0.4mm 1mm; text-align: left; }
  th { background: #e8eef5; } .n { text-align: right; white-space: nowrap; }
  .note { color: #444; font-size: 7pt; margin: 1mm 0 0; }
  .sample { margin: 1.5mm 0 0; padding: 1mm 2mm; border: 2px solid #8a1c00; color: #8a1c00;
    font-weight: bold; }
  .page { max-width: 186mm; }`;

/**
 * The monthly one-page summary of the planners' statistics (A4): hazard exposure per type and
 * class for the regency, road kemantapan over the survey years, irrigation condition per area.
 * The CSV files written beside it hold the same figures per kecamatan.
 */
export function renderSummaryPage(input: SummaryInput): string {
  const { exposure, roads, irrigation } = input;
  const date = input.generatedAt.toISOString().slice(0, 10);
  const conditionHeads = roads.conditions.map((c) => `<th class="n">${e(c.id)} (km)</th>`);
  return `<!doctype html><html lang="id"><head><meta charset="utf-8">
  <title>Ringkasan analisis ${e(input.regencyName)} ${date}</title><style>${style}</style></head>
  <body><main class="page">
  <h1>Ringkasan analisis perencanaan · ${e(input.regencyName)}</h1>
  <p class="note">Planning statistics summary, ${date}. Dihitung dari data terkini di Simpul.</p>
  ${sampleBanner(input)}
  <h2>Paparan bahaya (penduduk ${exposure.populationYear}) <i>Hazard exposure</i></h2>
  <table><tr><th>Bahaya</th><th>Kelas</th><th class="n">Luas (ha)</th><th class="n">Penduduk</th>
  <th class="n">Jalan (km)</th><th class="n">Jembatan</th><th class="n">Bangunan irigasi</th>
  <th class="n">Titik evakuasi</th></tr>${exposureRows(exposure).join('')}</table>
  <p class="note">${e(exposure.method.id)}</p>
  <h2>Kondisi dan kemantapan jalan <i>Road condition</i></h2>
  <table><tr><th>Tahun</th><th class="n">Panjang (km)</th>${conditionHeads.join('')}
  <th class="n">Kemantapan</th></tr>${roadRows(roads).join('')}</table>
  <p class="note">${e(roads.method.id)}</p>
  <h2>Kondisi aset irigasi <i>Irrigation asset condition</i></h2>
  <table><tr><th>Daerah irigasi</th><th class="n">Saluran (km)</th><th class="n">Saluran baik</th>
  <th class="n">Bangunan</th><th class="n">IKSI</th></tr>${irrigationRows(irrigation).join('')}</table>
  <p class="note">${e(irrigation.method.id)}</p>
  </main>${fitToOnePage}</body></html>`;
}
