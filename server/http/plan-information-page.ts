import type {
  Bilingual,
  MapLegendEntry,
  PlanInformation,
  PlanInformationMap,
  PlanZoneShare,
} from '../services/plan-information-service.js';
import { escapeHtml as e } from './html-page.js';

/** What the printed page says about itself: the regency and when it was made. */
export interface PrintHeader {
  regencyName: string;
  /** Base URL of this server, printed so a reader can find the source. */
  source: string;
}

const numberFormat = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 2 });
const percentFormat = new Intl.NumberFormat('id-ID', {
  style: 'percent',
  maximumFractionDigits: 1,
});

function both(text: Bilingual) {
  return `${e(text.id)} <span class="en">${e(text.en)}</span>`;
}

function formatDate(iso: string) {
  const date = new Date(iso);
  const options = { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Jakarta' } as const;
  return `${new Intl.DateTimeFormat('id-ID', options).format(date)} WIB`;
}

/** A scale bar length of 1, 2 or 5 × 10ⁿ metres, about a fifth of the map width. */
function scaleBarMetres(widthM: number) {
  const target = widthM / 5;
  const power = 10 ** Math.floor(Math.log10(target));
  const step = [5, 2, 1].find((m) => m * power <= target) ?? 1;
  return step * power;
}

function svgPaths(
  shapes: { code: string | null; svgPath: string }[],
  style: (code: string | null) => string,
) {
  return shapes
    .map((s) => `<path d="${e(s.svgPath)}" ${style(s.code)} vector-effect="non-scaling-stroke"/>`)
    .join('');
}

function placeMarkup(map: PlanInformationMap) {
  if (map.place.isPoint) {
    const [x, y] = map.place.center;
    const radius = (map.frame[2] - map.frame[0]) / 90;
    return `<circle cx="${x}" cy="${-y}" r="${radius}" fill="#d7191c" stroke="#fff"
      stroke-width="2" vector-effect="non-scaling-stroke"/>`;
  }
  return `<path d="${e(map.place.svgPath)}" fill="none" stroke="#000" stroke-width="3"
    vector-effect="non-scaling-stroke"/><path d="${e(map.place.svgPath)}" fill="none"
    stroke="#ffeb3b" stroke-width="1.2" stroke-dasharray="4 3" vector-effect="non-scaling-stroke"/>`;
}

/** The map as inline SVG in EPSG:32749 (UTM 49S), with a scale bar and north arrow. */
export function renderPrintMap(map: PlanInformationMap) {
  const [x0, y0, x1, y1] = map.frame;
  const width = x1 - x0;
  const zoneColors = new Map(map.legend.zones.map((z) => [z.code, z.color]));
  const hazardColors = new Map(map.legend.hazards.map((h) => [h.code, h.color]));
  const zones = svgPaths(map.zones, (code) => {
    const fill = zoneColors.get(code ?? '') ?? '#eeeeee';
    return `fill="${e(fill)}" fill-opacity="0.7" stroke="#555" stroke-width="0.6"`;
  });
  const hazards = svgPaths(map.hazards, (code) => {
    const color = hazardColors.get(code ?? '') ?? '#c00000';
    return `fill="url(#hatch-${e(code)})" stroke="${e(color)}" stroke-width="1.5" stroke-dasharray="6 3"`;
  });
  const units = svgPaths(
    map.units,
    () => 'fill="none" stroke="#333" stroke-width="0.8" stroke-dasharray="2 2"',
  );
  const patterns = map.legend.hazards
    .map(
      (h) => `<pattern id="hatch-${e(h.code)}" width="8" height="8" patternUnits="userSpaceOnUse"
        patternTransform="rotate(45) scale(${width / 700})"><line x1="0" y1="0" x2="0" y2="8"
        stroke="${e(h.color)}" stroke-width="1.5" stroke-opacity="0.6"/></pattern>`,
    )
    .join('');

  const barM = scaleBarMetres(width);
  const barPercent = (barM / width) * 100;
  const barLabel = barM >= 1000 ? `${barM / 1000} km` : `${barM} m`;
  return `<div class="map" style="aspect-ratio:${width / (y1 - y0)}">
    <svg class="map__svg" viewBox="${x0} ${-y1} ${width} ${y1 - y0}" preserveAspectRatio="xMidYMid slice"
      role="img" aria-label="Peta lokasi / Location map"><defs>${patterns}</defs>
      <rect x="${x0}" y="${-y1}" width="${width}" height="${y1 - y0}" fill="#f7f7f2"/>
      ${zones}${hazards}${units}${placeMarkup(map)}</svg>
    <div class="map__north" aria-hidden="true">▲<br>U</div>
    <div class="map__scale" style="width:${barPercent}%"><div class="map__bar"></div>${barLabel}</div>
    <div class="map__crs">UTM 49S (EPSG:32749)</div>
  </div>`;
}

function legendMarkup(zones: MapLegendEntry[], hazards: MapLegendEntry[]) {
  const zoneItems = zones.map(
    (z) => `<li><span class="swatch" style="background:${e(z.color)}"></span>${e(z.id)}</li>`,
  );
  const hazardItems = hazards.map(
    (h) =>
      `<li><span class="swatch swatch--hazard" style="border-color:${e(h.color)}"></span>` +
      `${e(h.id)} <span class="en">${e(h.en)}</span></li>`,
  );
  const place =
    '<li><span class="swatch swatch--place"></span>' +
    'Lokasi dimohon <span class="en">Requested place</span></li>';
  return `<ul class="legend">${place}${zoneItems.join('')}${hazardItems.join('')}</ul>`;
}

function percent(share: number | null) {
  return share === null ? '–' : percentFormat.format(share);
}

function period(zone: PlanZoneShare) {
  if (zone.periodStart === null && zone.periodEnd === null) return '–';
  return `${zone.periodStart ?? '…'}–${zone.periodEnd ?? '…'}`;
}

function zoneTable(info: PlanInformation) {
  if (info.zones.length === 0) {
    return (
      '<p class="warning">Lokasi tidak berada dalam zona rencana tata ruang mana pun. ' +
      '<span class="en">The place lies in no plan zone.</span></p>'
    );
  }
  const rows = info.zones.map(
    (z) => `<tr><td><span class="swatch" style="background:${e(z.color ?? '#eee')}"></span>
      ${e(z.zoneLabel.id)}<div class="en">${e(z.zoneLabel.en)}</div></td>
      <td>${e(z.name)}</td><td>${z.kindLabel ? both(z.kindLabel) : '–'}</td>
      <td class="num">${info.place.areaHa > 0 ? numberFormat.format(z.areaHa) : '–'}</td>
      <td class="num">${percent(z.share)}</td></tr>`,
  );
  const regulations = [
    ...new Set(info.zones.map((z) => `${z.regulation ?? '–'}, periode ${period(z)}`)),
  ];
  return `<table><thead><tr><th>Kawasan <span class="en">Zone</span></th><th>NAMOBJ</th>
    <th>Fungsi <span class="en">Kind</span></th><th class="num">Luas (ha)</th>
    <th class="num">Bagian <span class="en">Share</span></th></tr></thead><tbody>${rows.join('')}</tbody></table>
    <p class="regulation"><b>Dasar hukum dan periode rencana</b> <span class="en">Regulation and plan period</span>:
    ${regulations.map(e).join('; ')}</p>`;
}

function activitySection(info: PlanInformation) {
  const activity = info.activity;
  if (!activity) {
    return (
      '<p class="muted">Tidak ada kegiatan yang ditanyakan. ' +
      '<span class="en">No activity was asked.</span></p>'
    );
  }
  const rows = activity.answers.map((a) => {
    const zone = info.zones.find((z) => z.zoneCode === a.zoneCode);
    const condition = a.condition ? both(a.condition) : '–';
    return `<tr><td>${e(zone?.zoneLabel.id ?? a.zoneCode)}</td>
      <td><span class="rule rule--${e(a.rule ?? 'none')}">${e(a.rule ?? '?')}</span> ${both(a.ruleLabel)}</td>
      <td>${condition}</td></tr>`;
  });
  return `<p class="answer">Kegiatan <span class="en">Activity</span>: <b>${both(activity.activityLabel)}</b> →
    <span class="rule rule--${e(activity.overall ?? 'none')}">${e(activity.overall ?? '?')}</span>
    <b>${both(activity.overallLabel)}</b></p>
    <table><thead><tr><th>Kawasan <span class="en">Zone</span></th><th>Ketentuan <span class="en">Rule</span></th>
    <th>Syarat / batasan <span class="en">Conditions</span></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function warningSection(info: PlanInformation) {
  if (info.warnings.length === 0) {
    return (
      '<p class="muted">Tidak ada peringatan kawasan lindung atau zona bahaya. ' +
      '<span class="en">No protected area or hazard zone.</span></p>'
    );
  }
  const items = info.warnings.map((w) => `<li class="warning">${both(w.message)}</li>`);
  return `<ul class="warnings">${items.join('')}</ul>`;
}

/** A banner naming the layers of invented sample data the answer read; none when all are real. */
function sampleBanner(info: PlanInformation) {
  if (info.sampleSources.length === 0) return '';
  const namesId = info.sampleSources.map((source) => source.titleId).join(', ');
  const namesEn = info.sampleSources.map((source) => source.titleEn).join(', ');
  const textId = `CONTOH: dihitung dari data contoh buatan, bukan data resmi: ${namesId}.`;
  const textEn = `SAMPLE: computed from invented sample data, not official data: ${namesEn}.`;
  return `<p class="sample">${both({ id: textId, en: textEn })}</p>`;
}

function locationLine(info: PlanInformation) {
  const desa = info.location.desa.map((d) => `${d.name} (${d.code})`).join(', ') || '–';
  const kecamatan = info.location.kecamatan.map((k) => k.name).join(', ') || '–';
  const [lon, lat] = info.place.pointOnSurface ?? [0, 0];
  const area =
    info.place.areaHa > 0 ? `${numberFormat.format(info.place.areaHa)} ha` : 'titik / point';
  return `<dl class="facts"><dt>Desa/Kelurahan</dt><dd>${e(desa)}</dd>
    <dt>Kecamatan</dt><dd>${e(kecamatan)}</dd>
    <dt>Koordinat <span class="en">Coordinates</span></dt><dd>${lat.toFixed(6)}, ${lon.toFixed(6)} (WGS 84)</dd>
    <dt>Luas <span class="en">Area</span></dt><dd>${e(area)}</dd></dl>`;
}

const printStyle = `
  @page { size: A4 portrait; margin: 11mm 12mm; }
  * { box-sizing: border-box; }
  body { font: 9pt/1.35 "DejaVu Sans", system-ui, sans-serif; color: #111; margin: 0; }
  .page { max-width: 186mm; margin: 0 auto; }
  header { display: flex; justify-content: space-between; align-items: flex-end;
    border-bottom: 2px solid #1f4e79; padding-bottom: 2mm; margin-bottom: 2.5mm; }
  h1 { font-size: 14pt; margin: 0; color: #1f4e79; }
  h2 { font-size: 10pt; margin: 3mm 0 1mm; color: #1f4e79; }
  .en { color: #666; font-style: italic; font-weight: normal; }
  div.en { font-size: 8pt; }
  .muted { color: #555; }
  .meta { text-align: right; font-size: 8pt; color: #333; }
  .facts { display: grid; grid-template-columns: 34mm 1fr; gap: 0.5mm 3mm; margin: 0; }
  .facts dt { font-weight: bold; } .facts dd { margin: 0; }
  .map { position: relative; width: 100%; border: 1px solid #444; overflow: hidden; }
  .map__svg { width: 100%; height: 100%; display: block; }
  .map__north { position: absolute; top: 2mm; right: 3mm; text-align: center; font-weight: bold;
    line-height: 1; background: rgba(255,255,255,.8); padding: 1mm; }
  .map__scale { position: absolute; left: 3mm; bottom: 2mm; font-size: 7.5pt;
    background: rgba(255,255,255,.8); padding: 0.5mm 0; }
  .map__bar { height: 2mm; border: 2px solid #000; border-top: 0; margin-bottom: 0.5mm; }
  .map__crs { position: absolute; right: 3mm; bottom: 2mm; font-size: 7pt; background: rgba(255,255,255,.8); }
  .legend { list-style: none; padding: 0; margin: 1.5mm 0 0; display: flex; flex-wrap: wrap; gap: 1mm 4mm;
    font-size: 8pt; }
  .swatch { display: inline-block; width: 3.5mm; height: 3.5mm; border: 1px solid #555;
    vertical-align: -0.6mm; margin-right: 1mm; }
  .swatch--hazard { border: 2px dashed; background: none; }
  .swatch--place { border: 2px solid #000; background: #ffeb3b; }
  table { width: 100%; border-collapse: collapse; }
  th, td { border-bottom: 1px solid #bbb; padding: 0.8mm 1.2mm; text-align: left; vertical-align: top; }
  th { background: #e8eef5; font-size: 8.5pt; }
  .num { text-align: right; white-space: nowrap; }
  .regulation { margin: 1mm 0 0; }
  .answer { font-size: 10pt; margin: 0 0 1mm; }
  .rule { display: inline-block; min-width: 5mm; text-align: center; font-weight: bold; color: #fff;
    border-radius: 1mm; padding: 0 1mm; background: #777; }
  .rule--I { background: #1a9641; } .rule--T { background: #b59a00; }
  .rule--B { background: #e66101; } .rule--X { background: #d7191c; }
  .warnings { margin: 0; padding-left: 5mm; }
  .warning { color: #8a1c00; }
  .sample { margin: 1.5mm 0 0; padding: 1mm 2mm; border: 2px solid #8a1c00; color: #8a1c00;
    font-weight: bold; }
  footer { margin-top: 3mm; border-top: 1px solid #999; padding-top: 1.5mm; font-size: 7.5pt; color: #333; }
  tr, li, .map { break-inside: avoid; }
  @media screen { body { background: #ddd; } .page { background: #fff; padding: 10mm; margin: 5mm auto;
    box-shadow: 0 1px 4px rgba(0,0,0,.3); } }`;

/**
 * Shrinks the page to fit one A4 sheet when many zones or long conditions make it taller:
 * 275 mm of printable height is 1039 CSS pixels.
 */
export const fitToOnePage = `<script>
  function fitToOnePage() {
    const page = document.querySelector('.page');
    page.style.zoom = '';
    const scale = 1039 / page.scrollHeight;
    if (scale < 1) page.style.zoom = String(Math.max(scale, 0.5));
  }
  window.addEventListener('beforeprint', fitToOnePage);
  matchMedia('print').addEventListener('change', (m) => m.matches && fitToOnePage());
</script>`;

/**
 * The one-page printable plan information (A4 portrait): location, map with legend, zones with
 * area and share, regulation and period, the activity answer with conditions, warnings and the
 * method note. Self-contained HTML (inline SVG and CSS), so it prints and renders offline.
 */
export function renderPlanInformationPage(
  info: PlanInformation,
  map: PlanInformationMap,
  header: PrintHeader,
) {
  const notes = info.notes.map((n) => `<p>${both(n)}</p>`).join('');
  return `<!doctype html><html lang="id"><head><meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Informasi Tata Ruang · ${e(header.regencyName)}</title><style>${printStyle}</style></head>
  <body><main class="page">
  <header><div><h1>Informasi Tata Ruang</h1><div class="en">Spatial plan information</div></div>
    <div class="meta"><b>${e(header.regencyName)}</b><br>${e(formatDate(info.generatedAt))}</div></header>
  ${sampleBanner(info)}
  <h2>Lokasi <span class="en">Location</span></h2>${locationLine(info)}
  ${renderPrintMap(map)}${legendMarkup(map.legend.zones, map.legend.hazards)}
  <h2>Rencana pola ruang <span class="en">Spatial plan zones</span></h2>${zoneTable(info)}
  <h2>Ketentuan kegiatan (ITBX) <span class="en">Activity rules</span></h2>${activitySection(info)}
  <h2>Peringatan <span class="en">Warnings</span></h2>${warningSection(info)}
  <footer>${notes}<p>Sumber <span class="en">Source</span>: Simpul, ${e(header.source)}</p></footer>
  </main>${fitToOnePage}</body></html>`;
}
