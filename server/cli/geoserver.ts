import { config, ConfigError } from '../config.js';
import type { Database } from '../db/pool.js';
import type { StepReport } from '../geoserver/apply.js';
import type { PlannedChange } from '../geoserver/plan.js';
import type { PublicationPlan, PublicationResult } from '../geoserver/publication.js';
import type { RunAttempt } from '../geoserver/publication.js';
import { GeoServerAuthError, GeoServerUnavailableError } from '../geoserver/rest.js';
import {
  GeoServerRefusedError,
  openGeoServerSession,
  type GeoServerSession,
} from '../geoserver/session.js';
import { readGeoServerConnection, readPublicationSettings } from '../geoserver/settings.js';
import { readCommandLine } from './command-line.js';

const usage = `Usage: npm run geoserver -- plan|apply [--force] [--json]

  plan    compare GeoServer with the layer declarations and print the changes; writes nothing
  apply   carry the changes out, verifying each step; run again to resume after a failure
  --force publish even to a GeoServer version with known critical vulnerabilities
  --json  print the plan or report as JSON

Needs GEOSERVER_URL (the REST root), GEOSERVER_USER, GEOSERVER_PASSWORD, and a database
GeoServer can reach: GEOSERVER_DATASTORE_URL or DATABASE_URL.`;

/** Exit codes: 0 done, 1 failed, 2 wrong usage, 3 refused (vulnerable GeoServer). */
const exitCodes = { done: 0, failed: 1, usage: 2, refused: 3 } as const;

function failUsage(mistake: string): never {
  console.error(`geoserver: ${mistake}\n\n${usage}`);
  process.exit(exitCodes.usage);
}

const flag = { type: 'boolean' } as const;

function readCommand() {
  const { values, positionals } = readCommandLine(
    { options: { force: flag, json: flag, help: flag }, allowPositionals: true },
    failUsage,
  );
  const command = positionals[0];
  if (values.help || positionals.length !== 1 || (command !== 'plan' && command !== 'apply')) {
    return undefined;
  }
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

function explain(error: unknown): { message: string; code: number } {
  if (error instanceof GeoServerRefusedError) {
    return { message: `Refused: ${error.message}`, code: exitCodes.refused };
  }
  if (error instanceof GeoServerUnavailableError) {
    return { message: `GeoServer unavailable: ${error.message}`, code: exitCodes.failed };
  }
  if (error instanceof GeoServerAuthError || error instanceof ConfigError) {
    return { message: error.message, code: exitCodes.failed };
  }
  return { message: `GeoServer publication failed: ${(error as Error).message}`, code: 1 };
}

type Command = NonNullable<ReturnType<typeof readCommand>>;

const stageText = {
  connect: 'while asking GeoServer its version',
  plan: "while reading GeoServer's catalog to plan",
} as const;

/**
 * Records an apply that failed before its report, as the admin page shows it, and says so;
 * `--json` prints the record's report. The database is opened here when it was not yet: a
 * GeoServer that fails at once is asked before anything else.
 */
async function recordFailure(
  command: Command,
  attempt: RunAttempt,
  stage: keyof typeof stageText,
  error: unknown,
  database?: Database,
) {
  const message = error instanceof Error ? error.message : String(error);
  if (command.json) {
    const report = { plan: null, report: { outcome: 'failed', steps: [] } };
    console.log(JSON.stringify({ ...report, failedStage: stage, error: message }, null, 2));
  }
  const { openDatabase } = await import('../db/pool.js');
  const { recordFailedApply } = await import('../geoserver/publication.js');
  let opened: Database | undefined;
  try {
    opened = database ? undefined : await openDatabase();
    await recordFailedApply((database ?? opened)!.pool, attempt, stage, error);
    console.error(`Apply failed ${stageText[stage]}; recorded as the last result.`);
  } catch (recordError) {
    const reason = (recordError as Error).message;
    console.error(`Apply failed ${stageText[stage]}; not recorded (${reason}).`);
  } finally {
    await opened?.close();
  }
}

async function run(command: Command): Promise<number> {
  const connection = readGeoServerConnection();
  const startedAt = new Date();
  const attempt: RunAttempt = { url: connection.restUrl, requestedBy: 'cli', startedAt };
  // GeoServer first, before the database and the declarations are even loaded: without it
  // (or with a vulnerable one) nothing else is worth opening, and the answer comes at once.
  let session: GeoServerSession;
  try {
    session = await openGeoServerSession(connection, { force: command.force });
  } catch (error) {
    if (command.command === 'apply') await recordFailure(command, attempt, 'connect', error);
    throw error;
  }
  attempt.session = session;
  const { loadSeedModule } = await import('../services/seed-service.js');
  const { regencyProfile } = await loadSeedModule(config.seedDir);
  const settings = readPublicationSettings(regencyProfile);

  const { openDatabase } = await import('../db/pool.js');
  const publication = await import('../geoserver/publication.js');
  const scope = (db: Database) => ({ pool: db.pool, regency: regencyProfile, settings });
  let database: Database | undefined;
  try {
    database = await openDatabase();
    if (command.command === 'plan') {
      const plan = await publication.planPublication(session, scope(database));
      if (command.json) console.log(JSON.stringify(plan, null, 2));
      else printPlan(plan);
      await publication.recordPlan(database.pool, attempt, plan);
      return exitCodes.done;
    }
    let result: PublicationResult;
    try {
      result = await publication.applyPublication(session, scope(database));
    } catch (error) {
      await recordFailure(command, attempt, 'plan', error, database);
      throw error;
    }
    if (command.json) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      printHeader(result.plan);
      printReport(result.report.steps);
    }
    await publication.recordApply(database.pool, attempt, result);
    return result.report.outcome === 'failed' ? exitCodes.failed : exitCodes.done;
  } finally {
    await database?.close();
  }
}

/** `npm run geoserver -- plan|apply [--force] [--json]`. */
async function main(): Promise<number> {
  const command = readCommand();
  if (!command) {
    console.error(usage);
    return exitCodes.usage;
  }
  try {
    return await run(command);
  } catch (error) {
    const { message, code } = explain(error);
    console.error(message);
    return code;
  }
}

// Exit explicitly: a geoserver-node-client request past its deadline keeps a socket open.
process.exit(await main());
