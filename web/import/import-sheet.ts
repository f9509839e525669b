import type Map from 'ol/Map.js';
import { transformExtent } from 'ol/proj.js';
import type { LayerDefinition } from '../../layers/types.js';
import {
  cancelImport,
  exportUrl,
  fetchImportJob,
  ImportApiError,
  fetchRejections,
  previewImport,
  rejectionsCsvUrl,
  startImport,
  undoImport,
  uploadFile,
  type ImportJob,
  type ImportOptions,
  type ImportPreview,
  type Rejection,
  type UploadedFile,
} from '../api/import-api.js';
import { redrawKeepingFocus } from '../app-bar/mount-app-bar.js';
import { pickTitle, translate } from '../i18n/i18n.js';
import { describeProblem, type ProblemDeclaration } from '../i18n/problem-messages.js';
import {
  attributeTitle,
  codedText,
  describeRefusal,
  importText,
  type ImportTextKey,
} from './import-messages.js';
import { renderFilePicker } from '../file-picker/render-file-picker.js';
import { exportCoordinateSystems } from './export-coordinate-systems.js';
import { createSampleLayer } from './sample-layer.js';
import { mapSheetClass } from '../map/visible-centre.js';

/** What the sheet knows of the logged-in user. */
export interface ImportSession {
  csrfToken: string | null;
  editableLayers: string[];
}

const exportFormats: [string, string][] = [
  ['geojson', 'GeoJSON'],
  ['shapefile', 'Shapefile (.zip)'],
  ['geopackage', 'GeoPackage'],
  ['csv', 'CSV (WKT)'],
  ['csv-excel', 'CSV Excel (;)'],
  ['flatgeobuf', 'FlatGeobuf'],
  ['geojsonseq', 'GeoJSON lines'],
];
const encodings = ['', 'utf-8', 'windows-1252', 'iso-8859-1'];
const finished = new Set(['succeeded', 'checked', 'rejected', 'failed', 'cancelled', 'undone']);

/**
 * Where a failure is shown: under the file field, or after the button that was pressed (the
 * read options' Pratinjau, the mapping's Pratinjau, Mulai impor, or the job's own buttons).
 */
type ErrorPlace = 'file' | 'readOptions' | 'mapping' | 'start' | 'job';

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

/** A control under its title; its title's key finds it again after a redraw. */
function labelled(key: ImportTextKey, control: HTMLElement) {
  control.dataset.focusKey ??= key;
  return element('label', 'import-field', element('span', '', importText(key)), control);
}

function select(options: [string, string][], value?: string) {
  const node = element('select');
  for (const [optionValue, text] of options) {
    const option = element('option', '', text);
    option.value = optionValue;
    node.append(option);
  }
  if (value !== undefined) node.value = value;
  return node;
}

/** A button; its text's key finds it again after a redraw, unless another is given it. */
function button(key: ImportTextKey, onClick: () => void, className = '') {
  const node = element('button', className, importText(key));
  node.type = 'button';
  node.dataset.focusKey = key;
  node.addEventListener('click', onClick);
  return node;
}

function progressBar(fraction: number | null) {
  const bar = element('progress', 'import-progress');
  if (fraction !== null) bar.value = fraction;
  bar.max = 1;
  return bar;
}

/** What a running job is doing: reading, checking or saving (older jobs name no step). */
function stepText(job: ImportJob) {
  if (job.step) return importText(`import.step.${job.step}`);
  return importText(job.status === 'committing' ? 'import.committing' : 'import.status.running');
}

/** Why a row was rejected in the interface language, as the edit form says it. */
function describeRejection(rejection: Rejection, layer: ProblemDeclaration | undefined) {
  const { field, reason, code, params } = rejection;
  const problem = {
    field,
    message: reason,
    code: code ?? undefined,
    otherField: typeof params?.otherField === 'string' ? params.otherField : undefined,
    outsideM: typeof params?.outsideM === 'number' ? params.outsideM : undefined,
    toleranceM: typeof params?.toleranceM === 'number' ? params.toleranceM : undefined,
  };
  return describeProblem(problem, layer ?? { attributes: [] });
}

/** True when two field mappings map each attribute alike (unmapped: absent, null or ''). */
function sameMapping(a: ImportOptions['mapping'] = {}, b: ImportOptions['mapping'] = {}) {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].every((name) => (a[name] || null) === (b[name] || null));
}

/** The choices of how the file is read, as one text to compare with those of the preview. */
function readingChoices(options: Omit<ImportOptions, 'uploadId'>) {
  const { sourceLayers, encoding, csv, crs } = options;
  const chosen = [sourceLayers?.[0], encoding, csv?.delimiter, csv?.decimalComma, crs];
  return JSON.stringify(chosen.map((choice) => choice ?? null));
}

function rejectionTable(rejections: Rejection[], layer: ProblemDeclaration | undefined) {
  const head = element(
    'tr',
    '',
    element('th', '', importText('import.row')),
    element('th', '', importText('import.attribute')),
    element('th', '', importText('import.value')),
    element('th', '', importText('import.reason')),
  );
  const rows = rejections.map((r) =>
    element(
      'tr',
      '',
      element('td', '', String(r.row)),
      element('td', '', attributeTitle(r.field, layer)),
      element('td', '', String(r.params?.value ?? r.params?.invalidReason ?? '')),
      element('td', '', describeRejection(r, layer)),
    ),
  );
  return element(
    'table',
    'import-table',
    element('thead', '', head),
    element('tbody', '', ...rows),
  );
}

/**
 * The import and export sheet: export any readable layer in a chosen format and CRS; upload a
 * file, choose how to read it, map its fields, preview its first rows on the map with their
 * problems, run the import with a progress bar, read the report, cancel or undo.
 */
export class ImportSheet {
  readonly sheet = element('aside', `import-sheet ${mapSheetClass}`);
  session: ImportSession = { csrfToken: null, editableLayers: [] };
  private upload?: UploadedFile;
  /** The name of the file last chosen; the picker is drawn anew with the sheet, empty. */
  private chosenFileName?: string;
  private preview?: ImportPreview;
  /** The mapping the preview's problems were checked with, and how the file was read. */
  private previewedMapping?: ImportOptions['mapping'];
  private previewedReading?: string;
  /** Marks the preview shown out of date, or up to date, after a choice is changed. */
  private showPreviewAge?: () => void;
  private job?: ImportJob;
  private rejections?: { rejections: Rejection[]; total: number };
  private uploadFraction: number | null = null;
  /** The last action's failure, worded at each render so a new language words it anew. */
  private error?: Error;
  private errorAt: ErrorPlace = 'file';
  /** The failure is new: its first drawing brings it into view and announces it. */
  private errorIsNew = false;
  private options: Omit<ImportOptions, 'uploadId'> = { layerId: '' };
  /** The export choices, kept so that redrawing the sheet (a new language) keeps them. */
  private exportChoice = { layerId: '', format: '', crs: '', viewOnly: false };
  private readonly sample;
  private polling?: number;
  /** A start, cancel or undo awaits its answer: a second press sends nothing. */
  private writing = false;

  constructor(
    private readonly map: Map,
    private readonly layers: LayerDefinition[],
  ) {
    this.sheet.hidden = true;
    this.sample = createSampleLayer(map);
  }

  /**
   * Forgets the file, its preview, the job and its report, read with the rights of the user
   * who just logged out; a job still running goes on on the server, unfollowed here.
   */
  forget() {
    window.clearTimeout(this.polling);
    this.upload = this.preview = this.job = this.rejections = undefined;
    this.chosenFileName = undefined;
    this.error = undefined;
    this.uploadFraction = null;
    this.options = { layerId: '' };
    this.sample.clear();
    if (!this.sheet.hidden) this.render();
  }

  toggle(open = this.sheet.hidden) {
    this.sheet.hidden = !open;
    if (!open) this.sample.clear();
    this.render();
  }

  /** Redraws the sheet in the interface language from its state. */
  render() {
    const close = element('button', 'import-sheet__close', '×');
    close.type = 'button';
    close.setAttribute('aria-label', importText('import.close'));
    close.dataset.focusKey = 'close';
    close.addEventListener('click', () => this.toggle(false));
    const header = element(
      'header',
      'import-sheet__header',
      element('h2', '', importText('import.title')),
      close,
    );
    // the button pressed is drawn anew, or gone where a status took its place (Hentikan)
    const parts = [header, this.renderExport(), this.renderImport()];
    redrawKeepingFocus(this.sheet, parts, '.import-error, .import-status');
    // a long sheet scrolled to its foot showed the failure at its head, out of sight
    const newError = this.errorIsNew && this.sheet.querySelector('.import-error');
    if (newError) newError.scrollIntoView({ block: 'nearest' });
    this.errorIsNew = false;
  }

  /** The failure, if it belongs at `place`; a step no longer shown sends it under the file. */
  private errorShownAt(place: ErrorPlace): HTMLElement[] {
    const stepShown = {
      file: true,
      readOptions: Boolean(this.upload),
      mapping: Boolean(this.preview),
      start: Boolean(this.preview),
      job: Boolean(this.job),
    };
    const at = stepShown[this.errorAt] ? this.errorAt : 'file';
    if (!this.error || at !== place) return [];

    const reason = this.errorText();
    const shown = element('p', 'import-error', importText('import.failed', { reason }));
    shown.tabIndex = -1;
    // announced once: the sheet is drawn anew each second while a job runs
    if (this.errorIsNew) shown.setAttribute('role', 'alert');
    return [shown];
  }

  private renderExport() {
    // what is downloaded from a layer of invented sample data must say so before it leaves
    const sampleMark = ` (${translate('sample.badge')})`;
    const readable = this.layers.map((l): [string, string] => [
      l.id,
      pickTitle(l) + (l.metadata.sample ? sampleMark : ''),
    ]);
    const chosen = this.exportChoice;
    const layer = select(readable, chosen.layerId || undefined);
    const format = select(exportFormats, chosen.format || undefined);
    const crs = select(exportCoordinateSystems, chosen.crs || undefined);
    const viewOnly = element('input');
    viewOnly.type = 'checkbox';
    viewOnly.checked = chosen.viewOnly;
    viewOnly.dataset.focusKey = 'export.viewOnly';
    const download = element('a', 'import-download', importText('export.download'));
    download.dataset.focusKey = 'export.download';
    // A download leaves the map as it is; a refusal (exports busy, a session ended) opens as a
    // page of its own in the new tab instead of replacing the map.
    download.target = '_blank';
    download.rel = 'noopener';
    const update = () => {
      this.exportChoice = {
        layerId: layer.value,
        format: format.value,
        crs: crs.value,
        viewOnly: viewOnly.checked,
      };
      const extent = this.map.getView().calculateExtent(this.map.getSize());
      const bbox = viewOnly.checked ? transformExtent(extent, 'EPSG:3857', 'EPSG:4326') : undefined;
      download.href = exportUrl({
        layerId: layer.value,
        format: format.value,
        crs: crs.value,
        bbox,
      });
    };
    for (const control of [layer, format, crs, viewOnly])
      control.addEventListener('change', update);
    download.addEventListener('click', update);
    update();
    return element(
      'section',
      'import-section',
      element('h3', '', importText('export.heading')),
      labelled('export.layer', layer),
      labelled('export.format', format),
      labelled('export.crs', crs),
      element('label', 'import-check', viewOnly, importText('export.viewOnly')),
      download,
    );
  }

  private renderImport() {
    const section = element(
      'section',
      'import-section',
      element('h3', '', importText('import.heading')),
    );
    const editable = this.layers.filter((l) => this.session.editableLayers.includes(l.id));
    if (editable.length === 0) {
      section.append(element('p', 'import-note', importText('import.loginFirst')));
      return section;
    }
    if (!this.options.layerId || !editable.some((l) => l.id === this.options.layerId)) {
      this.options.layerId = editable[0]!.id;
    }
    const layer = select(
      editable.map((l): [string, string] => [l.id, pickTitle(l)]),
      this.options.layerId,
    );
    layer.addEventListener('change', () => {
      this.options = { layerId: layer.value };
      this.preview = undefined;
      this.render();
    });
    section.append(labelled('import.layer', layer), this.renderFilePicker());
    if (this.uploadFraction !== null) {
      const percent = `${Math.round(this.uploadFraction * 100)}%`;
      section.append(
        progressBar(this.uploadFraction),
        element('p', 'import-note', importText('import.uploading', { percent })),
      );
    }
    section.append(...this.errorShownAt('file'));
    if (this.upload) section.append(this.renderReadOptions());
    if (this.preview) section.append(this.renderPreview());
    if (this.job) section.append(this.renderJob());
    return section;
  }

  /** The file field, named by its title; the chosen file's name is said beside it. */
  private renderFilePicker() {
    const title = element('span', '', importText('import.file'));
    title.id = 'import-file-title';
    const picker = renderFilePicker({
      id: 'import-file',
      labelledBy: title.id,
      accept: '.geojson,.json,.ndjson,.geojsonl,.zip,.gpkg,.csv,.tsv,.txt,.kml,.kmz,.fgb',
      chosenName: this.chosenFileName,
      onChoose: (chosen) => {
        this.chosenFileName = chosen.name;
        void this.send(chosen);
      },
    });
    return element('div', 'import-field', title, picker);
  }

  private renderReadOptions() {
    const upload = this.upload!;
    const parts: Node[] = [
      element(
        'p',
        'import-note',
        importText('import.uploaded', { file: upload.fileName, format: upload.format }),
      ),
    ];
    if (upload.sourceLayers.length > 1) {
      const chosen = this.options.sourceLayers?.[0] ?? upload.sourceLayers[0]!;
      this.options.sourceLayers = [chosen];
      const source = select(
        upload.sourceLayers.map((n): [string, string] => [n, n]),
        chosen,
      );
      source.addEventListener('change', () => {
        this.options.sourceLayers = [source.value];
        this.showPreviewAge?.();
      });
      parts.push(labelled('import.sourceLayer', source));
    }
    if (upload.format === 'shapefile' || upload.format === 'csv') {
      const names = encodings.map((e): [string, string] => [
        e,
        e || importText('import.encodingAuto'),
      ]);
      const encoding = select(names, this.options.encoding ?? '');
      encoding.addEventListener('change', () => {
        this.options.encoding = encoding.value || undefined;
        this.showPreviewAge?.();
      });
      parts.push(labelled('import.encoding', encoding));
    }
    if (upload.format === 'csv') {
      const delimiters: [string, string][] = [
        ['', importText('import.delimiterAuto')],
        [',', ','],
        [';', ';'],
        ['\t', 'tab'],
        ['|', '|'],
      ];
      const delimiter = select(delimiters, this.options.csv?.delimiter ?? '');
      delimiter.addEventListener('change', () => {
        this.options.csv = { ...this.options.csv, delimiter: delimiter.value || undefined };
        this.showPreviewAge?.();
      });
      parts.push(labelled('import.delimiter', delimiter), this.renderDecimalMark());
    }
    const crs = element('input');
    crs.placeholder = 'EPSG:32749';
    crs.value = this.options.crs ?? '';
    crs.addEventListener('change', () => {
      this.options.crs = crs.value.trim() || undefined;
      this.showPreviewAge?.();
    });
    const read = button('import.preview', () => void this.loadPreview('readOptions'), 'primary');
    // two buttons say Pratinjau: each is found again after a redraw by a key of its own
    read.dataset.focusKey = 'import.preview.readOptions';
    parts.push(labelled('import.crs', crs), read, ...this.errorShownAt('readOptions'));
    return element('div', 'import-step', ...parts);
  }

  /**
   * The decimal mark of the CSV's numbers: detected from the file (the server's reading unless
   * told), a comma, or a point, which the choice of a comma alone could not force where the
   * file looked written with decimal commas. A note on numbers read either way (`1.200`)
   * asks for it.
   */
  private renderDecimalMark() {
    const marks: [string, string][] = [
      ['', importText('import.decimalMarkAuto')],
      ['comma', importText('import.decimalMarkComma')],
      ['point', importText('import.decimalMarkPoint')],
    ];
    const chosen = this.options.csv?.decimalComma;
    const mark = select(marks, chosen === undefined ? '' : chosen ? 'comma' : 'point');
    mark.addEventListener('change', () => {
      const decimalComma = mark.value === '' ? undefined : mark.value === 'comma';
      this.options.csv = { ...this.options.csv, decimalComma };
      this.showPreviewAge?.();
    });
    return labelled('import.decimalMark', mark);
  }

  private renderPreview() {
    const preview = this.preview!;
    const layer = this.layers.find((l) => l.id === this.options.layerId)!;
    const fields: [string, string][] = [
      ['', importText('import.noField')],
      ...preview.fields.map((f): [string, string] => [f, f]),
    ];
    const rows = layer.attributes
      .filter((a) => !a.computed)
      .map((attribute) => {
        const chosen = select(fields, this.options.mapping?.[attribute.name] ?? '');
        chosen.dataset.focusKey = `mapping.${attribute.name}`;
        chosen.addEventListener('change', () => {
          this.options.mapping = {
            ...preview.mapping,
            ...this.options.mapping,
            [attribute.name]: chosen.value || null,
          };
          this.showPreviewAge?.();
        });
        // the choice is named by its attribute: a screen reader read 'combo box' alone
        chosen.setAttribute('aria-label', pickTitle(attribute));
        if (attribute.required) chosen.setAttribute('aria-required', 'true');
        const title = `${pickTitle(attribute)}${attribute.required ? ' *' : ''}`;
        return element('tr', '', element('td', '', title), element('td', '', chosen));
      });
    const problems =
      preview.problems.length > 0
        ? [
            element('h4', '', importText('import.sampleProblems')),
            rejectionTable(preview.problems, layer),
          ]
        : [element('p', 'import-note', importText('import.noProblems'))];
    // The checks are the server's, made with the choices previewed: a change is not sent until
    // Pratinjau is pressed (each choice would else read the file anew), so they are marked.
    const staleNote = element('p', 'import-stale');
    staleNote.setAttribute('role', 'status');
    this.showPreviewAge = () => {
      const age = this.previewAge();
      staleNote.textContent = age ? importText(age) : '';
      for (const part of problems) part.classList.toggle('import-outdated', Boolean(age));
    };
    this.showPreviewAge();
    const mode = select(
      [
        ['all-or-nothing', importText('import.modeAll')],
        ['valid-only', importText('import.modeValid')],
      ],
      this.options.mode,
    );
    mode.addEventListener(
      'change',
      () => (this.options.mode = mode.value as ImportOptions['mode']),
    );
    const action = select(
      [
        ['append', importText('import.append')],
        ['replace', importText('import.replace')],
      ],
      this.options.action,
    );
    action.addEventListener(
      'change',
      () => (this.options.action = action.value as ImportOptions['action']),
    );
    const check = button('import.preview', () => void this.loadPreview('mapping'));
    check.dataset.focusKey = 'import.preview.mapping';
    const dryRun = element('input');
    dryRun.type = 'checkbox';
    dryRun.checked = Boolean(this.options.dryRun);
    dryRun.dataset.focusKey = 'import.dryRun';
    dryRun.addEventListener('change', () => (this.options.dryRun = dryRun.checked));
    return element(
      'div',
      'import-step',
      element('h4', '', importText('import.mapping')),
      element('table', 'import-table', element('tbody', '', ...rows)),
      check,
      ...this.errorShownAt('mapping'),
      ...preview.notes.map((note, i) =>
        element('p', 'import-note', codedText(preview.noteCodes?.[i], note)),
      ),
      element(
        'p',
        'import-note',
        importText('import.sampleShown', { count: preview.sample.length }),
      ),
      staleNote,
      ...problems,
      labelled('import.mode', mode),
      labelled('import.action', action),
      element('label', 'import-check', dryRun, importText('import.dryRun')),
      button('import.start', () => void this.start(), 'primary'),
      ...this.errorShownAt('start'),
    );
  }

  /** What was changed since the preview: how the file is read, the mapping, or nothing. */
  private previewAge(): ImportTextKey | undefined {
    const readAlike = readingChoices(this.options) === this.previewedReading;
    if (!readAlike) return 'import.previewStaleReading';
    if (!sameMapping(this.options.mapping, this.previewedMapping)) return 'import.previewStale';
    return undefined;
  }

  private renderJob() {
    const job = this.job!;
    const parts: Node[] = [];
    if (!finished.has(job.status)) {
      const counts = { read: job.rowsRead, written: job.rowsWritten, rejected: job.rowsRejected };
      // The checks and the saving are single statements whose progress nobody can tell.
      const reading = job.step ? job.step === 'reading' : job.status === 'running';
      parts.push(
        progressBar(reading ? job.fractionRead : null),
        element('p', 'import-step-name', stepText(job)),
        element('p', 'import-note', importText('import.progress', counts)),
      );
      parts.push(
        button('import.cancel', () => void this.cancel()),
        ...this.errorShownAt('job'),
      );
    } else {
      const key = `import.status.${job.status}` as ImportTextKey;
      const status = element(
        'p',
        `import-status import-status--${job.status}`,
        importText(key, { written: job.rowsWritten }),
      );
      // it takes the focus of Hentikan or Batalkan impor ini, gone once their work is done
      status.tabIndex = -1;
      parts.push(status);
      if (job.message) {
        const coded = job.messageCode ? { code: job.messageCode, params: job.messageParams } : null;
        parts.push(element('p', 'import-note', codedText(coded, job.message)));
      }
      const notes = job.notes.map((note, i) => codedText(job.noteCodes?.[i], note));
      parts.push(...notes.map((note) => element('p', 'import-note', note)));
      // a job that wrote and replaced nothing (every row rejected) left nothing to undo
      const changedLayer = job.rowsWritten > 0 || (job.rowsReplaced ?? 0) > 0;
      if (job.status === 'succeeded' && changedLayer) {
        parts.push(button('import.undo', () => void this.undo()));
      }
      parts.push(...this.errorShownAt('job'));
    }
    if (this.rejections && this.rejections.total > 0) {
      const report = element('a', 'import-download', importText('import.downloadReport'));
      report.dataset.focusKey = 'import.downloadReport';
      report.href = rejectionsCsvUrl(job.id);
      parts.push(
        // the job counts rows; the list has one entry per problem, a row may have several
        element('h4', '', importText('import.rejected', { total: job.rowsRejected })),
        rejectionTable(
          this.rejections.rejections,
          this.layers.find((l) => l.id === job.layerId),
        ),
        report,
      );
    }
    return element('div', 'import-step', ...parts);
  }

  private errorText() {
    const error = this.error!;
    // no answer came: fetch rejects with a TypeError, an upload (XHR) ends with status 0
    if (error instanceof TypeError || (error instanceof ImportApiError && error.status === 0))
      return importText('import.offline');
    if (!(error instanceof ImportApiError)) return error.message;
    // a failure that is no problem of Simpul's (a proxy's page, a crash) has no type to word
    if (error.status >= 500 && !error.type)
      return importText('import.serverFailed', { status: error.status });
    const layer = this.layers.find((l) => l.id === this.options.layerId);
    return describeRefusal(error, layer);
  }

  /** Runs a request; a failure is shown at `place`, where the user just pressed. */
  private async run(place: ErrorPlace, action: () => Promise<void>) {
    this.error = undefined;
    try {
      await action();
    } catch (error) {
      this.error = error as Error;
      this.errorAt = place;
      this.errorIsNew = true;
    }
    this.render();
  }

  /**
   * Runs a request that writes (a start, a cancel, an undo) unless one is awaited: a second
   * press of Mulai impor started the import twice, its rows appended twice, and the sheet
   * then reported the second job only.
   */
  private async runOnce(place: ErrorPlace, action: () => Promise<void>) {
    if (this.writing) return;
    this.writing = true;
    try {
      await this.run(place, action);
    } finally {
      this.writing = false;
    }
  }

  private send(file: File) {
    return this.run('file', async () => {
      this.upload = this.preview = this.job = this.rejections = undefined;
      this.options = { layerId: this.options.layerId };
      this.uploadFraction = 0;
      this.render();
      try {
        this.upload = await uploadFile(file, this.session.csrfToken, (fraction) => {
          this.uploadFraction = fraction;
          this.render();
        });
      } finally {
        this.uploadFraction = null;
      }
    });
  }

  private currentOptions(): ImportOptions {
    return { ...this.options, uploadId: this.upload!.uploadId };
  }

  private loadPreview(place: ErrorPlace) {
    return this.run(place, async () => {
      const reading = readingChoices(this.options);
      this.preview = await previewImport(this.currentOptions(), this.session.csrfToken);
      this.options.mapping = { ...this.preview.mapping, ...this.options.mapping };
      this.previewedMapping = this.options.mapping;
      this.previewedReading = reading;
      this.sample.show(this.preview.sample.map((row) => row.geometry));
    });
  }

  private start() {
    return this.runOnce('start', async () => {
      this.rejections = undefined;
      this.job = await startImport(this.currentOptions(), this.session.csrfToken);
      this.follow();
    });
  }

  /** Polls the job every second until it ends, then loads its first rejected rows. */
  private follow() {
    window.clearTimeout(this.polling);
    const poll = async () => {
      const followed = this.job;
      if (!followed) return;
      const job = await fetchImportJob(followed.id).catch(() => followed);
      if (this.job !== followed) return;
      this.job = job;
      if (finished.has(job.status)) {
        const rejections = await fetchRejections(job.id).catch(() => undefined);
        if (this.job !== job) return;
        this.rejections = rejections;
      } else {
        this.polling = window.setTimeout(() => void poll(), 1000);
      }
      this.render();
    };
    this.polling = window.setTimeout(() => void poll(), 500);
  }

  private cancel() {
    return this.runOnce('job', async () => {
      this.job = await cancelImport(this.job!.id, this.session.csrfToken);
      this.follow();
    });
  }

  private undo() {
    return this.runOnce('job', async () => {
      await undoImport(this.job!.id, this.session.csrfToken);
      this.job = await fetchImportJob(this.job!.id);
    });
  }
}
