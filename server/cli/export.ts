import path from 'node:path';
import type { Writable } from 'node:stream';
import { layerDefinitions } from '../../layers/index.js';
import { migrate } from '../db/migrate.js';
import { openDatabase, type Database } from '../db/pool.js';
import { HttpProblem } from '../http/problem.js';
import { countLayerFeatures } from '../services/feature-service.js';
import {
  exportFormats,
  prepareExport,
  removeExportScratch,
  resolveExportFormat,
  type ExportFormat,
  type PreparedExport,
} from '../services/export-service.js';
import { readCommandLine, resolveCallerPath } from './command-line.js';
import { writeWholeFile } from './partial-file.js';
import { createProgressBar } from './progress-bar.js';
import { countNoun } from '../counted-noun.js';

const usage = `Usage: npm run export -- --layer <layerId> --format <format> [options]

Writes a layer, or the features a filter selects, to a file; streamed, in constant memory.

Formats:
  geojson      GeoJSON FeatureCollection (.geojson)
  geojsonseq   newline-delimited GeoJSON (.geojsonl; also "ndjson")
  csv          CSV with the geometry as WKT, or x/y columns for points (--csv-geometry xy);
               in a CRS other than EPSG:4326 their names carry it, as GDAL and QGIS read
               it: _WKTgeom_EPSG_32749_MULTIPOLYGON, or x_EPSG_32749 and y_EPSG_32749
  csv-excel    the same CSV as Excel opens it on a computer set to Indonesian, "excel"
               (semicolons, decimal commas, UTF-8 with a byte order mark)
  shapefile    zipped Shapefile, "shp" (.zip: .shp .shx .dbf, .prj, UTF-8 .cpg, and
               <layer>.fields.csv listing the field names shortened to 10 characters)
  geopackage   GeoPackage, "gpkg" (.gpkg)
  flatgeobuf   FlatGeobuf, "fgb" (.fgb)
Shapefile and GeoPackage are written through GDAL's ogr2ogr (apt-get install gdal-bin).

Options:
  -l, --layer <id>           the layer to export (required)
  -f, --format <format>      one of the formats above (default geojson)
  -o, --out <file>           output file, ending in the format's extension (default
                             <layer>.<extension> in this folder; "-" for stdout)
  --crs <EPSG:code>          output coordinate system (default EPSG:4326, lon/lat), e.g.
                             EPSG:32749 for UTM zone 49S
  --bbox <minLon,minLat,maxLon,maxLat>   only features touching this box (CRS84)
  --where <attribute=value>  only features whose attribute equals the value (repeatable)
  --filter <cql2>            only features a CQL2 text filter selects, e.g.
                             "status = 'kabupaten' AND width_m >= 6"
  --csv-geometry <wkt|xy>    CSV geometry column(s) (default wkt)
  -h, --help                 this help

Example:
  npm run export -- --layer desa --format shp --crs EPSG:32749 --where kecamatan_code=33.01.06
`;

const { values } = readCommandLine(
  {
    options: {
      layer: { type: 'string', short: 'l' },
      format: { type: 'string', short: 'f' },
      out: { type: 'string', short: 'o' },
      crs: { type: 'string' },
      bbox: { type: 'string' },
      where: { type: 'string', multiple: true },
      filter: { type: 'string' },
      'csv-geometry': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  },
  (mistake) => fail(`${mistake}\n\n${usage}`),
);

function fail(message: string): never {
  console.error(`export: ${message}`);
  process.exit(2);
}

function parseWhere(pairs: string[] = []) {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) fail(`--where takes attribute=value; got "${pair}"`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

/**
 * The endings a file of each format may carry, the first the one to suggest: the import, QGIS
 * and ogrinfo tell a file's format by its ending.
 */
const outExtensions: Record<ExportFormat, string[]> = {
  geojson: ['geojson', 'json'],
  geojsonseq: ['geojsonl', 'geojsons', 'ndjson'],
  csv: ['csv'],
  'csv-excel': ['csv'],
  shapefile: ['zip'],
  geopackage: ['gpkg'],
  flatgeobuf: ['fgb'],
};

/**
 * Refuses an --out whose ending does not fit the format, naming the one it needs. Refused
 * rather than renamed: a GIS officer who asked for road.shp would look for it and not find the
 * road.zip written instead, while the refusal costs one retyped command and says why.
 */
function checkOutExtension(out: string, format: ExportFormat) {
  const extension = path.extname(out);
  const given = extension.slice(1).toLowerCase();
  const endings = outExtensions[format];
  if (endings.includes(given)) return;

  const renamed = `${out.slice(0, out.length - extension.length)}.${endings[0]}`;
  if (format === 'shapefile') {
    fail(`--out ${out}: a Shapefile export is one zip of .shp .shx .dbf .prj; name it ${renamed}`);
  }
  const formats = Object.keys(outExtensions) as ExportFormat[];
  const named = formats.find((other) => outExtensions[other].includes(given));
  const reason = named
    ? `.${given} is ${exportFormats[named].title}; add --format ${named}, or`
    : `--format ${format} writes a .${endings[0]} file;`;
  fail(`--out ${out}: ${reason} name it ${renamed}`);
}

async function main() {
  if (values.help) return console.log(usage);
  if (!values.layer) fail(`name the layer with --layer\n\n${usage}`);
  const csvGeometry = values['csv-geometry'];
  if (csvGeometry && csvGeometry !== 'wkt' && csvGeometry !== 'xy') {
    fail('--csv-geometry is wkt or xy');
  }
  const toStdout = values.out === '-';
  const format = resolveExportFormat(values.format ?? 'geojson');
  if (values.out && !toStdout) checkOutExtension(values.out, format);

  const database = await openDatabase();
  try {
    await migrate(database.pool, layerDefinitions);
    const prepared = await prepareExport(database, {
      layerId: values.layer,
      format,
      crs: values.crs,
      bbox: values.bbox,
      where: parseWhere(values.where),
      filter: values.filter,
      csvGeometry: csvGeometry as 'wkt' | 'xy' | undefined,
    });
    const target = toStdout ? undefined : resolveCallerPath(values.out ?? prepared.fileName);
    await writeExport(database, prepared, target);
    if (target) console.error(`Wrote ${target} (${prepared.layer.id}, EPSG:${prepared.srid}).`);
  } finally {
    await database.close();
  }
}

/** Writes to `target`, whole or not at all, or streams to stdout when `target` is undefined. */
async function writeExport(database: Database, prepared: PreparedExport, target?: string) {
  const total = await countLayerFeatures(database.pool, prepared.layer);
  const bar = createProgressBar(`export ${exportFormats[prepared.format].title}`);
  let written = 0;
  // a filtered export writes fewer than the layer holds: the bar then ends early, at 100%
  const write = (out: Writable) =>
    prepared.write(out, (count) => {
      written = count;
      bar.update({ fraction: total ? count / total : null, counts: { features: count } });
    });
  try {
    await (target ? writeWholeFile(target, write, removeExportScratch) : write(process.stdout));
  } catch (error) {
    bar.stop(false);
    // `| head` read what it wanted and closed the pipe: the export ends there, as Unix tools
    // do, and main closes the database. Any other failure to write stays an error.
    if (!target && isClosedPipe(error)) {
      // writes still queued fail the same way: not an unhandled error once the export ended
      process.stdout.on('error', () => undefined);
      return;
    }
    throw written > 0 ? new StoppedPartWay(error, written, target) : error;
  }
  bar.stop(true);
}

/** Whether a write failed because the reader of the pipe closed it (EPIPE). */
function isClosedPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

/** A failure after the first features were written (a filter failing on a later row). */
class StoppedPartWay extends Error {
  constructor(
    readonly reason: unknown,
    written: number,
    target?: string,
  ) {
    const said = (reason instanceof Error ? reason.message : String(reason)).replace(/\.$/, '');
    const lost = target ? `${target} was not written` : 'what went to stdout is incomplete';
    super(`${said}; the export stopped after ${countNoun(written, 'feature')} and ${lost}.`);
  }
}

main().catch((error: Error) => {
  const refused = error instanceof StoppedPartWay ? error.reason : error;
  // a refused layer, format, CRS or filter is a wrong option (2), as the parser's mistakes
  if (refused instanceof HttpProblem && refused.status < 500) fail(error.message);
  console.error(`export: ${error.message}`);
  process.exit(1);
});
