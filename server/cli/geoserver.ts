import { configFailure, ConfigError } from '../config-error.js';
import type { Database } from '../db/pool.js';
import type { StepReport } from '../geoserver/apply.js';
import type { PlannedChange } from '../geoserver/plan.js';
import type { PublicationPlan } from '../geoserver/publication.js';
import type { RunAttempt } from '../geoserver/publication.js';
import { GeoServerAuthError, GeoServerUnavailableError } from '../geoserver/rest.js';
import { GeoServerRefusedError, openGeoServerSession } from '../geoserver/session.js';
import { readCommandLine } from './command-line.js';

const usage = `Usage: npm run geoserver -- plan|apply [--force] [--json]

  plan    compare GeoServer with the layer declarations and print the changes; writes nothing
  apply   carry the changes out, verifying each step; run again to resume after a failure
  --force publish even to a GeoServer version with known critical vulnerabilities
  --json  print the plan or report as JSON
  -h, --help  this help

Needs GEOSERVER_URL (the REST root), GEOSERVER_USER, GEOSERVER_PASSWORD, and a database
GeoServer can reach: GEOSERVER_DATASTORE_URL or DATABASE_URL.`;

/** Exit codes: 0 done, 1 failed, 2 wrong usage, 3 refused (vulnerable GeoServer). */
const exitCodes = { done: 0, failed: 1, usage: 2, refused: 3 } as const;

function failUsage(mistake: string): never {
  console.error(`geoserver: ${mistake}\n\n${usage}`);
  process.exit(exitCodes.usage);
}

const flag = { type: 'boolean' } as const;

/** What to do: plan or apply, forced or not, printed as text or JSON. */
interface Command {
  command: 'plan' | 'apply';
  force: boolean;
  json: boolean;
}

/** The command asked for, 'help' for --help, or undefined for a wrong usage. */
function readCommand(): Command | 'help' | undefined {
  const { values, positionals } = readCommandLine(
    {
      options: { force: flag, json: flag, help: { ...flag, short: 'h' } },
      allowPositionals: true,
    },
    failUsage,
  );
  if (values.help) return 'help';
  const command = positionals[0];
  if (positionals.length !== 1) return undefined;
  if (command !== 'plan' && command !== 'apply') return undefined;
  return { command, force: Boolean(values.force), json: Boolean(values.json) };
}

function formatChange(change: PlannedChange, status?: string): string {
  const fields = change.fields.length ? `  (${change.fields.join(', ')})` : '';
  const head = status ? `${status.padEnd(9)} ${change.action.padEnd(9)}` : change.action.padEnd(9);
  return `  ${head} ${change.kind.padEnd(11)} ${change.name}${fields}`;
}

function printHeader(plan: PublicationPlan) {
  const { geoserver } = plan;
  console.log(`GeoServer ${geoserver.version} at ${geoserver.url}`);
  if (geoserver.warning) console.log(`WARNING (forced): ${geoserver.warning}`);
  if (geoserver.transportWarning) console.log(`WARNING: ${geoserver.transportWarning}`);
  console.log(`Workspace ${plan.workspace}, data store ${plan.datastore}`);
}

function printPlan(plan: PublicationPlan) {
  printHeader(plan);
  for (const change of plan.changes) console.log(formatChange(change));
  for (const item of plan.foreign)
    console.log(`  left alone ${item.kind} ${item.name} (not Simpul's)`);

  const { create, update, unchanged } = plan.counts;
  const removals = plan.counts.delete;
  console.log(
    `Plan: ${create} to create, ${update} to update, ${removals} to delete, ${unchanged} unchanged.`,
  );
}

function printReport(steps: StepReport[]) {
  for (const step of steps.filter((s) => s.status !== 'unchanged')) {
    console.log(formatChange(step, step.status));
    if (step.error) console.log(`            ${step.error}`);
  }
  const count = (status: string) => steps.filter((s) => s.status === status).length;
  const failed = count('failed');
  const summary = `${count('done')} done, ${count('unchanged')} unchanged`;
  if (!failed) return console.log(`Applied: ${summary}.`);
  console.log(
    `Stopped: ${summary}, 1 failed, ${count('not-done')} not done. ` +
      'Run apply again to resume from what GeoServer now holds.',
  );
}

function explain(error: unknown, stage: Stage): { message: string; code: number } {
  if (error instanceof GeoServerRefusedError) {
    return { message: `Refused: ${error.message}`, code: exitCodes.refused };
  }
  if (error instanceof GeoServerUnavailableError) {
    return { message: `GeoServer unavailable: ${error.message}`, code: exitCodes.failed };
  }
  if (error instanceof GeoServerAuthError || error instanceof ConfigError) {
    return { message: error.message, code: exitCodes.failed };
  }
  const reason = error instanceof Error ? error.message : String(error);
  if (stage === 'database') {
    return { message: `Cannot open Simpul's database: ${reason}`, code: exitCodes.failed };
  }
  return { message: `GeoServer publication failed: ${reason}`, code: exitCodes.failed };
}

/** Where a run stopped: a stage that is recorded, or opening Simpul's database. */
type Stage = keyof typeof stageText | 'database';

/** How far a run got, for the JSON a failure prints with `--json`; `printed` once it did. */
interface Progress {
  stage: Stage;
  printed: boolean;
}

/**
 * With `--json`, what stopped a run before it printed its plan or report, as JSON on standard
 * output: an apply's has the members of an apply's report too, none done.
 */
function printFailure(command: Command, stage: Stage, error: string) {
  const failure = { outcome: 'failed', failedStage: stage, error };
  const apply = { plan: null, report: { outcome: 'failed', steps: [] } };
  const printed = command.command === 'apply' ? { ...failure, ...apply } : failure;
  console.log(JSON.stringify(printed, null, 2));
}

const stageText = {
  configure: 'while reading the configuration',
  connect: 'while asking GeoServer its version',
  plan: "while reading GeoServer's catalog to plan",
} as const;

const recordedText = { plan: 'recorded', apply: 'recorded as the last result' } as const;

/**
 * Records a plan or an apply that failed before its report, as the admin page shows the
 * apply, and says so. The database is opened here when it was not yet: a GeoServer that fails
 * at once is asked before anything else.
 */
async function recordFailure(
  command: Command,
  attempt: RunAttempt,
  stage: keyof typeof stageText,
  error: unknown,
  database?: Database,
) {
  const kind = command.command;
  const failed = `${kind === 'plan' ? 'Plan' : 'Apply'} failed ${stageText[stage]}`;
  const { openDatabase } = await import('../db/pool.js');
  const { recordFailedRun } = await import('../geoserver/publication.js');
  let opened: Database | undefined;
  try {
    opened = database ? undefined : await openDatabase();
    await recordFailedRun((database ?? opened)!.pool, attempt, kind, stage, error);
    console.error(`${failed}; ${recordedText[kind]}.`);
  } catch (recordError) {
    console.error(`${failed}; not recorded (${(recordError as Error).message}).`);
  } finally {
    await opened?.close();
  }
}

/** Runs `step`; a failure is recorded at `stage` before it goes on to be explained. */
async function recordingFailure<Result>(
  command: Command,
  attempt: RunAttempt,
  stage: keyof typeof stageText,
  step: () => Result | Promise<Result>,
  database?: Database,
): Promise<Result> {
  try {
    return await step();
  } catch (error) {
    await recordFailure(command, attempt, stage, error, database);
    throw error;
  }
}

/** The declarations' regency and the publication settings; a configuration error stops here. */
async function readSettings() {
  const { config } = await import('../config.js');
  const { readPublicationSettings } = await import('../geoserver/settings.js');
  const { loadSeedModule } = await import('../services/seed-service.js');
  const { regencyProfile } = await loadSeedModule(config.seedDir);
  return { regencyProfile, settings: readPublicationSettings(regencyProfile) };
}

async function run(command: Command, progress: Progress): Promise<number> {
  // The configuration loads here, not with this module: a value it cannot use is thrown then,
  // so that --json can say so. Nothing is recorded: the database may be the value at fault.
  configFailure.throwInstead = true;
  const { readGeoServerConnection, readMaskedGeoServerUrl } =
    await import('../geoserver/settings.js');
  const url = readMaskedGeoServerUrl() ?? '';
  const attempt: RunAttempt = { url, requestedBy: 'cli', startedAt: new Date() };
  const connection = await recordingFailure(command, attempt, 'configure', () =>
    readGeoServerConnection(),
  );
  attempt.url = connection.restUrl;
  progress.stage = 'connect';
  // GeoServer first, before the database and the declarations are even loaded: without it
  // (or with a vulnerable one) nothing else is worth opening, and the answer comes at once.
  const session = await recordingFailure(command, attempt, 'connect', () =>
    openGeoServerSession(connection, { force: command.force }),
  );
  attempt.session = session;
  progress.stage = 'configure';
  const { regencyProfile, settings } = await recordingFailure(
    command,
    attempt,
    'configure',
    readSettings,
  );

  const { openDatabase } = await import('../db/pool.js');
  const publication = await import('../geoserver/publication.js');
  const scope = (db: Database) => ({ pool: db.pool, regency: regencyProfile, settings });
  let database: Database | undefined;
  try {
    progress.stage = 'database';
    database = await openDatabase();
    const opened = database;
    progress.stage = 'plan';
    if (command.command === 'plan') {
      const plan = await recordingFailure(
        command,
        attempt,
        'plan',
        () => publication.planPublication(session, scope(opened)),
        opened,
      );
      if (command.json) console.log(JSON.stringify(plan, null, 2));
      else printPlan(plan);
      progress.printed = true;
      await publication.recordPlan(database.pool, attempt, plan);
      return exitCodes.done;
    }
    const result = await recordingFailure(
      command,
      attempt,
      'plan',
      () => publication.applyPublication(session, scope(opened)),
      opened,
    );
    if (command.json) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      printHeader(result.plan);
      printReport(result.report.steps);
    }
    progress.printed = true;
    await publication.recordApply(database.pool, attempt, result);
    return result.report.outcome === 'failed' ? exitCodes.failed : exitCodes.done;
  } finally {
    await database?.close();
  }
}

/** `npm run geoserver -- plan|apply [--force] [--json]`. */
async function main(): Promise<number> {
  const command = readCommand();
  if (command === 'help') {
    console.log(usage);
    return exitCodes.done;
  }
  if (!command) {
    console.error(usage);
    return exitCodes.usage;
  }
  const progress: Progress = { stage: 'configure', printed: false };
  try {
    return await run(command, progress);
  } catch (error) {
    const { message, code } = explain(error, progress.stage);
    console.error(message);
    if (command.json && !progress.printed) printFailure(command, progress.stage, message);
    return code;
  }
}

// Exit explicitly: a geoserver-node-client request past its deadline keeps a socket open.
process.exit(await main());
