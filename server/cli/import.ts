import fs from 'node:fs';
import path from 'node:path';
import { layerDefinitions } from '../../layers/index.js';
import { migrate } from '../db/migrate.js';
import { openDatabase, type Database } from '../db/pool.js';
import { selectRejections } from '../db/queries/import-jobs.js';
import { openSourceFile, removeUnpackedFolders } from '../formats/source-file.js';
import { HttpProblem } from '../http/problem.js';
import type { FieldMapping } from '../services/field-mapping.js';
import {
  abortLocalImport,
  stopLocalImports,
  prepareImport,
  recordImportJob,
  runImport,
  undoImport,
} from '../services/import-service.js';
import { readCommandLine, resolveCallerPath } from './command-line.js';
import { createProgressBar } from './progress-bar.js';
import { UnwritableFileError, unwritableReason, writeWholeFile } from './partial-file.js';
import { rejectionsCsv } from '../formats/rejections-csv.js';

const usage = `Usage: npm run import -- <file> --layer <layerId> [options]

Loads a file into a layer: every row is validated with the same rules as an edit, and a
report lists each rejected row (row number, field, reason, code).

Formats (detected from the file):
  GeoJSON            .geojson .json (FeatureCollection, streamed)
  GeoJSON lines      .ndjson .geojsonl .geojsons (newline-delimited GeoJSON, GeoJSONSeq)
  Shapefile          .zip holding .shp .shx .dbf .prj (.cpg), or a .shp path; without .prj
                     the CRS must be given with --crs
  GeoPackage         .gpkg (needs GDAL's ogr2ogr); --list-layers shows its layers
  CSV                .csv .tsv with longitude/latitude (x/y) columns or a WKT column
  KML / KMZ          .kml .kmz
  FlatGeobuf         .fgb

Options:
  -l, --layer <id>           the layer to load into (required)
  --source-layer <name>      layer inside the file (GeoPackage table, Shapefile of a zip);
                             repeat to load several into the same layer
  --list-layers              list the layers and fields inside the file, then stop
  --map <attribute=field>    map a source field to an attribute (repeatable); attributes
                             not mapped are matched by name; "attribute=" leaves it empty
  --mode <mode>              all-or-nothing (default: one bad row, nothing written)
                             or valid-only (write the valid rows, report the rest)
  --replace                  replace the layer's features (kept in history, undoable);
                             the default is to append. A layer with records (surveys) is
                             replaced by its key: kept features keep their records
  --dry-run                  validate every row and report; write nothing. Exits 1 when
                             the import itself would be refused
  --encoding <name>          text encoding of a Shapefile .dbf or a CSV (utf-8,
                             windows-1252, iso-8859-1 …). By default: its .cpg, else the
                             code page of the .dbf header, else utf-8 when the text is
                             UTF-8, else windows-1252; the notes say which was used
  --crs <EPSG:code>          coordinate system of the file's coordinates: needed when it
                             names none (a Shapefile without .prj, a CSV of UTM metres);
                             given for a file that names one, it is read instead (a wrong
                             .prj), and the notes say so. Not the CRS to convert to: imports
                             are always stored in the layer's CRS
  --delimiter <char>         CSV delimiter (detected: , ; tab |)
  --decimal-comma            CSV numbers are written 109,01 (detected)
  --decimal-point            CSV numbers are written 109.01, where the file looked otherwise
  --wkt-column <name>        CSV column of WKT geometries
  --x-column, --y-column     CSV columns of longitude and latitude
  --report <file.csv>        write every rejected row to a CSV file
  --undo <jobId>             undo a succeeded import (its features removed, replaced ones back)
  -h, --help                 this help

Example:
  npm run import -- jalan.zip --layer road_segment --map name=NAMA_RUAS --mode valid-only
`;

const { values, positionals } = readCommandLine(
  {
    allowPositionals: true,
    options: {
      layer: { type: 'string', short: 'l' },
      'source-layer': { type: 'string', multiple: true },
      'list-layers': { type: 'boolean' },
      map: { type: 'string', multiple: true },
      mode: { type: 'string' },
      replace: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      encoding: { type: 'string' },
      crs: { type: 'string' },
      delimiter: { type: 'string' },
      'decimal-comma': { type: 'boolean' },
      'decimal-point': { type: 'boolean' },
      'wkt-column': { type: 'string' },
      'x-column': { type: 'string' },
      'y-column': { type: 'string' },
      report: { type: 'string' },
      undo: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  },
  (mistake) => fail(`${mistake}\n\n${usage}`),
);

function fail(message: string): never {
  console.error(`import: ${message}`);
  process.exit(2);
}

function parseMapping(pairs: string[] | undefined): FieldMapping | undefined {
  if (!pairs) return undefined;
  return Object.fromEntries(
    pairs.map((pair) => {
      const [attribute, field] = pair.split('=', 2);
      if (!attribute || field === undefined) fail(`--map takes attribute=field; got "${pair}"`);
      return [attribute, field || null];
    }),
  );
}

async function listLayers(file: string) {
  const source = await openSourceFile(file, path.basename(file));
  try {
    console.log(`${path.basename(file)}: ${source.format}`);
    for (const name of source.layerNames) {
      const opened = await source.open(name, { encoding: values.encoding });
      console.log(`  ${name}: ${opened.fields.join(', ') || '(fields known once read)'}`);
    }
  } finally {
    await source.close();
  }
}

/** Every rejected row, with the columns the web client's download has (`code` last). */
async function writeReport(pool: Parameters<typeof selectRejections>[0], jobId: string) {
  const target = resolveCallerPath(values.report!);
  try {
    await writeWholeFile(target, async (out) => {
      for await (const text of rejectionsCsv(pool, jobId)) out.write(text);
    });
  } catch (error) {
    if (!(error instanceof UnwritableFileError)) throw error;
    // the import is done: the rows are still in the job, for the web sheet's download
    console.error(`import: --report: ${error.message}`);
    process.exitCode = 1;
    return;
  }
  console.log(`Rejected rows written to ${target}.`);
}

async function printRejections(pool: Parameters<typeof selectRejections>[0], jobId: string) {
  const { rejections, total } = await selectRejections(pool, jobId, 0, 20);
  for (const r of rejections) console.log(`  row ${r.row}, ${r.field}: ${r.reason}`);
  if (total > rejections.length) {
    console.log(`  … ${total - rejections.length} more (use --report file.csv for all)`);
  }
}

/** Refuses, before the import runs, a --report that could not be written at its end. */
async function refuseUnwritableReport(target: string) {
  const reason = await unwritableReason(target);
  if (reason) fail(`--report: ${reason}`);
}

/** `csv.decimalComma` from --decimal-comma or --decimal-point; neither: detected. */
function decimalMarkOf(comma?: boolean, point?: boolean): boolean | undefined {
  if (comma && point) fail('give --decimal-comma or --decimal-point, not both');
  return comma ? true : point ? false : undefined;
}

/** Refuses a layer given twice, whose rows would otherwise be imported twice. */
function refuseRepeatedSourceLayer(names: string[]) {
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) fail(`--source-layer "${repeated}" is given twice; give it once`);
}

/** Says a file named is not there, and where it was looked for: npm runs in another folder. */
function refuseMissingFile(given: string, file: string): never {
  const where = path.isAbsolute(given)
    ? file
    : `${given} in ${resolveCallerPath('.')} (the folder the command was typed in)`;
  console.error(`import: no file ${where}`);
  process.exit(1);
}

async function main() {
  if (values.help) return console.log(usage);
  if (positionals.length > 1) {
    const files = `${positionals.length} (${positionals.join(', ')})`;
    fail(`name one file; got ${files}: import them one after another\n\n${usage}`);
  }
  const file = positionals[0] && resolveCallerPath(positionals[0]);
  if (values['list-layers']) {
    if (!file) fail('name the file');
    if (!fs.existsSync(file)) refuseMissingFile(positionals[0]!, file);
    return listLayers(file);
  }
  if (!values.undo && (!file || !values.layer)) fail(`name the file and --layer\n\n${usage}`);
  if (values.report) await refuseUnwritableReport(resolveCallerPath(values.report));
  refuseRepeatedSourceLayer(values['source-layer'] ?? []);
  const mode = values.mode ?? 'all-or-nothing';
  if (mode !== 'all-or-nothing' && mode !== 'valid-only') {
    fail(`--mode is all-or-nothing or valid-only; got "${mode}"`);
  }
  if (file && !fs.existsSync(file)) refuseMissingFile(positionals[0]!, file);

  const database = await openDatabase();
  try {
    await migrate(database.pool, layerDefinitions);
    if (values.undo) {
      const undone = await undoImport(database.pool, values.undo, 'command-line');
      return console.log(`Undone: ${undone.deleted} removed, ${undone.restored} restored.`);
    }
    await runFromCommandLine(database, file!, mode);
  } finally {
    await database.close();
  }
}

async function runFromCommandLine(
  database: Database,
  file: string,
  mode: 'all-or-nothing' | 'valid-only',
) {
  const { pool } = database;
  // Until the job can be cancelled, Ctrl-C quits at once, without the zip's unpacked copy.
  const quitWhilePreparing = () => {
    removeUnpackedFolders();
    process.exit(130);
  };
  process.once('SIGINT', quitWhilePreparing);
  const prepared = await prepareImport(pool, {
    layerId: values.layer!,
    file,
    fileName: path.basename(file),
    sourceLayers: values['source-layer'],
    mapping: parseMapping(values.map),
    mode,
    action: values.replace ? 'replace' : 'append',
    dryRun: values['dry-run'],
    encoding: values.encoding,
    crs: values.crs,
    csv: {
      delimiter: values.delimiter === 'tab' ? '\t' : values.delimiter,
      decimalComma: decimalMarkOf(values['decimal-comma'], values['decimal-point']),
      wktColumn: values['wkt-column'],
      xColumn: values['x-column'],
      yColumn: values['y-column'],
    },
    actor: 'command-line',
  });
  const mapped = Object.entries(prepared.mapping).map(([a, f]) => `${a} ← ${f ?? '(empty)'}`);
  console.log(`Import ${prepared.jobId} into ${prepared.layer.id}: ${mapped.join(', ')}`);
  for (const note of prepared.notes) console.log(`  ${note.text}`);
  await recordImportJob(pool, prepared);

  process.removeListener('SIGINT', quitWhilePreparing);
  process.once('SIGINT', () => abortLocalImport(prepared.jobId));
  // a service manager's stop: the job records that it was stopped, rather than dying running
  process.once('SIGTERM', () => void stopLocalImports(Date.now()));
  const bar = createProgressBar('import');
  const job = await runImport(database, prepared, (p) =>
    bar.update({
      fraction: p.fractionRead,
      counts: { read: p.rowsRead, valid: p.rowsWritten, rejected: p.rowsRejected },
      step: p.step.replace(/-/g, ' '),
    }),
  );
  bar.stop(job.status === 'succeeded');

  // a dry run writes nothing: its count is of the rows that would be written
  const kept = job.status === 'checked' ? 'valid' : 'written';
  const replaced = job.rowsReplaced !== null ? `, ${job.rowsReplaced} replaced` : '';
  const counts = `${job.rowsRead} read, ${job.rowsWritten} ${kept}, ${job.rowsRejected} rejected`;
  console.log(`${job.status}: ${counts}${replaced}.`);
  if (job.message) console.log(job.message);
  for (const note of job.notes) console.log(`  ${note}`);
  if (job.rowsRejected > 0)
    await (values.report ? writeReport(pool, job.id) : printRejections(pool, job.id));
  if (!wouldSucceed(job, mode, values.replace === true)) process.exitCode = 1;
}

type FinishedJob = Awaited<ReturnType<typeof runImport>>;

/**
 * Whether the run succeeded or, for a dry run, whether the import itself would, by the rules
 * the import applies at its end: a script checking a file first reads the exit code.
 */
function wouldSucceed(job: FinishedJob, mode: string, replace: boolean) {
  if (job.status !== 'checked') return job.status === 'succeeded';
  if (mode === 'all-or-nothing' && job.rowsRejected > 0) return false;
  return !(replace && job.rowsWritten === 0);
}

main().catch((error: Error) => {
  const message = error instanceof HttpProblem ? error.detail : error.message;
  console.error(`import: ${message}`);
  process.exit(1);
});
