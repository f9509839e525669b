import type Map from 'ol/Map.js';
import { getPointResolution } from 'ol/proj.js';
import { getLocale, pickTitle } from '../i18n/i18n.js';
import { messages } from '../i18n/messages.js';
import { listLegendEntries } from '../legend/legend-entries.js';
import { listDataLayers } from '../map/data-layers.js';
import type { Symbolizer } from '../map/symbolizer.js';
import { exportText } from './view-export-messages.js';

/** One row of the exported legend: a visible layer's symbol and title. */
interface LegendRow {
  title: string;
  symbolizer: Symbolizer | undefined;
}

/** What an exported view says about itself, in the interface language. */
export interface ViewCaption {
  title: string;
  /** The date and the nominal scale. */
  facts: string;
  scaleBar: { widthPx: number; label: string };
  sources: string;
  /** The sample data warning in Indonesian and in English; none when every layer is real. */
  sampleNotes: string[];
  legend: LegendRow[];
}

/** Metres per CSS pixel at 96 dpi: 0.0254 m per inch over 96 pixels per inch. */
const metresPerScreenPixel = 0.0254 / 96;

/** Scale bar lengths in CSS pixels: the longest nice length (1, 2 or 5 × 10ⁿ m) below this. */
const scaleBarMaxPx = 120;

/**
 * The caption of the map view now: title, date, scale, the sources the map credits, the
 * legend of the data layers drawn at this zoom, and the sample data warning in both languages
 * when any of them holds invented sample data.
 */
export function describeView(map: Map, title: string): ViewCaption {
  const view = map.getView();
  const drawn = listDataLayers(map).filter(({ layer }) => layer.isVisible(view));
  const metresPerPixel = getPointResolution(
    view.getProjection(),
    view.getResolution() ?? 1,
    view.getCenter() ?? [0, 0],
    'm',
  );

  const date = new Intl.DateTimeFormat(getLocale(), { dateStyle: 'long', timeStyle: 'short' });
  const scale = new Intl.NumberFormat(getLocale(), { maximumSignificantDigits: 2 });
  const facts = [
    exportText('export.printed', { date: date.format(new Date()) }),
    exportText('export.scale', { scale: scale.format(metresPerPixel / metresPerScreenPixel) }),
  ].join(' · ');

  const samples = drawn.filter(({ definition }) => definition.metadata.sample);
  const legend = drawn.map(({ definition }) => ({
    title: pickTitle(definition) + (definition.metadata.sample ? sampleBadge() : ''),
    symbolizer: listLegendEntries(definition)[0]?.symbolizer,
  }));
  return {
    title,
    facts,
    scaleBar: chooseScaleBar(metresPerPixel),
    sources: exportText('export.sources', { sources: listShownSources(map) }),
    sampleNotes: describeSampleLayers(samples.map(({ definition }) => definition)),
    legend,
  };
}

function sampleBadge() {
  return ` (${exportText('export.sampleBadge')})`;
}

/** The interface's own warning, in both languages, naming the layers it is about. */
function describeSampleLayers(layers: { titleId: string; titleEn: string }[]): string[] {
  if (layers.length === 0) return [];
  const note = (text: string, titles: string[]) =>
    `${text.replace(/\.$/, '')}: ${titles.join(', ')}.`;
  return [
    note(
      messages.id['sample.note'],
      layers.map((layer) => layer.titleId),
    ),
    note(
      messages.en['sample.note'],
      layers.map((layer) => layer.titleEn),
    ),
  ];
}

// What the attribution control credits now (the sources of the layers drawn, a basemap's
// provider): the image must keep the credits the map shows.
function listShownSources(map: Map): string {
  const items = map.getViewport()?.querySelectorAll('.ol-attribution li') ?? [];
  const credits = [...items].map((item) => item.textContent?.trim() ?? '').filter(Boolean);
  return [...new Set(credits)].join('; ');
}

function chooseScaleBar(metresPerPixel: number) {
  const maxM = metresPerPixel * scaleBarMaxPx;
  const power = 10 ** Math.floor(Math.log10(maxM));
  const lengthM = [5, 2, 1].map((step) => step * power).find((m) => m <= maxM) ?? power;
  const number = new Intl.NumberFormat(getLocale());
  const label =
    lengthM >= 1000 ? `${number.format(lengthM / 1000)} km` : `${number.format(lengthM)} m`;
  return { widthPx: lengthM / metresPerPixel, label };
}
