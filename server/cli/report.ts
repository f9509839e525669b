import { statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { config } from '../config.js';
import { openDatabase } from '../db/pool.js';
import { renderSummaryPage } from '../http/analysis-summary-page.js';
import { renderCsv } from '../http/csv.js';
import { HttpProblem } from '../http/problem.js';
import {
  tabulateHazardExposure,
  tabulateIrrigationCondition,
  tabulateRoadCondition,
} from '../services/analysis-tables.js';
import {
  getIrrigationCondition,
  getRoadCondition,
} from '../services/condition-statistics-service.js';
import { getHazardExposure } from '../services/hazard-exposure-service.js';
import { printPage } from '../services/page-printer.js';
import { loadSeedModule } from '../services/seed-service.js';
import { exitAfterFailedStart } from '../startup.js';
import { readCommandLine, resolveCallerPath } from './command-line.js';
import { countNoun } from '../counted-noun.js';

const usage = `Usage: npm run report -- [--out DIR] [--year YYYY] [--status LIST] [--pdf]

Writes the planners' statistics from the current data, for monthly reporting:
  hazard-exposure.csv       people and assets per hazard type, class and kecamatan
  road-condition.csv        road km per condition class and kemantapan, per kecamatan and year
  irrigation-condition.csv  canal km, structures and IKSI per irrigation area
  summary.html              a one-page summary (A4), and summary.pdf with --pdf

  --out DIR       folder to write into (default: report-YYYY-MM-DD)
  --year YYYY     population year of the exposure (default: the latest with figures)
  --status LIST   road statuses to count (default: every road)
  --pdf           also render summary.pdf with the server's Chromium (CHROMIUM_PATH)
  -h, --help      this help
Uses DATABASE_URL, or the embedded database in SIMPUL_DATA_DIR (stop the server first).`;

function readOptions() {
  const { values } = readCommandLine(
    {
      options: {
        out: { type: 'string' },
        year: { type: 'string' },
        status: { type: 'string' },
        pdf: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    },
    (mistake) => {
      console.error(`report: ${mistake}\n\n${usage}`);
      process.exit(2);
    },
  );
  // Checked here, before the database opens: a year in words is a typing mistake, not a year
  // without figures (which the service answers, listing the years that have them).
  if (values.year !== undefined && !/^\d{4}$/.test(values.year)) {
    refuse(`--year takes a year in four digits, such as 2024, not "${values.year}"`);
  }
  const today = new Date().toISOString().slice(0, 10);
  const out = resolveCallerPath(checkOut(values.out) ?? `report-${today}`);
  // A file there was answered with mkdir's raw EEXIST, after the statistics were computed.
  if (isFile(out)) {
    refuse(`--out ${out} is a file; name a folder, new or existing, to write into`);
  }
  return { ...values, out };
}

/** Whether `target` is there and no folder; what stat cannot tell, mkdir will report. */
function isFile(target: string) {
  try {
    return statSync(target, { throwIfNoEntry: false })?.isDirectory() === false;
  } catch {
    return false;
  }
}

/** An empty --out (a variable that was not set) wrote into the folder the command ran in. */
function checkOut(out: string | undefined) {
  if (out?.trim() === '') {
    refuse('--out is empty; name the folder to write into, such as --out laporan-2026-01');
  }
  return out;
}

/** A wrong option: one line, the usage, exit 2. */
function refuse(message: string): never {
  console.error(`report: ${message}`);
  console.error(`\n${usage}`);
  process.exit(2);
}

async function writeReport(options: ReturnType<typeof readOptions>) {
  const database = await openDatabase();
  try {
    const { pool } = database;
    const exposure = await getHazardExposure(pool, options.year);
    const roads = await getRoadCondition(pool, options.status);
    const irrigation = await getIrrigationCondition(pool);
    const { regencyProfile } = await loadSeedModule(config.seedDir);

    await fs.mkdir(options.out, { recursive: true });
    const tables = [
      tabulateHazardExposure(exposure),
      tabulateRoadCondition(roads),
      tabulateIrrigationCondition(irrigation),
    ];
    for (const table of tables) {
      await fs.writeFile(path.join(options.out, `${table.name}.csv`), renderCsv(table));
    }
    const html = renderSummaryPage({
      regencyName: regencyProfile.name,
      generatedAt: new Date(),
      exposure,
      roads,
      irrigation,
    });
    await fs.writeFile(path.join(options.out, 'summary.html'), html);
    if (options.pdf)
      await fs.writeFile(path.join(options.out, 'summary.pdf'), await printPage(html, 'pdf'));
    return [
      ...tables.map((t) => `${t.name}.csv (${countNoun(t.rows.length, 'row')})`),
      'summary.html',
    ];
  } finally {
    await database.close();
  }
}

/** An error of the file system (a folder that cannot be made, a file that cannot be written). */
function isFileError(error: unknown): error is NodeJS.ErrnoException {
  const { syscall, path: target } = (error ?? {}) as NodeJS.ErrnoException;
  return typeof syscall === 'string' && typeof target === 'string';
}

/** `npm run report`: the planners' statistics as CSV files and a one-page summary. */
const options = readOptions();
if (options.help) {
  console.log(usage);
} else {
  try {
    const written = await writeReport(options);
    if (options.pdf) written.push('summary.pdf');
    console.log(`Wrote to ${options.out}:\n  ${written.join('\n  ')}`);
  } catch (error) {
    // A bad option (an unknown year or status) is the same problem the API answers: say it,
    // and exit 2 as for any wrong usage.
    if (error instanceof HttpProblem) console.error(`report: ${error.detail}`);
    else if (isFileError(error))
      console.error(`report: cannot write ${options.out}: ${error.message}`);
    // the database unreachable, the data folder in use: one line, as every command says it
    else exitAfterFailedStart(error);
    process.exitCode = error instanceof HttpProblem && error.status === 400 ? 2 : 1;
  }
}
