import { config, ConfigError } from '../config.js';
import type { Database } from '../db/pool.js';
import type { StepReport } from '../geoserver/apply.js';
import type { PlannedChange } from '../geoserver/plan.js';
import type { PublicationPlan } from '../geoserver/publication.js';
import { GeoServerAuthError, GeoServerUnavailableError } from '../geoserver/rest.js';
import { GeoServerRefusedError, openGeoServerSession } from '../geoserver/session.js';
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

async function run(command: NonNullable<ReturnType<typeof readCommand>>): Promise<number> {
  const startedAt = new Date();
  const connection = readGeoServerConnection();
  // GeoServer first, before the database and the declarations are even loaded: without it
  // (or with a vulnerable one) nothing else is worth opening, and the answer comes at once.
  const session = await openGeoServerSession(connection, { force: command.force });
  const { loadSeedModule } = await import('../services/seed-service.js');
  const { regencyProfile } = await loadSeedModule(config.seedDir);
  const settings = readPublicationSettings(regencyProfile);

  const { openDatabase } = await import('../db/pool.js');
  const publication = await import('../geoserver/publication.js');
  const scope = (db: Database) => ({ pool: db.pool, regency: regencyProfile, settings });
  let database: Database | undefined;
  try {
    database = await openDatabase();
    const record = { session, url: connection.restUrl, requestedBy: 'cli', startedAt };
    if (command.command === 'plan') {
      const plan = await publication.planPublication(session, scope(database));
      if (command.json) console.log(JSON.stringify(plan, null, 2));
      else printPlan(plan);
      const run = { ...record, kind: 'plan' as const, outcome: 'planned', report: plan };
      await publication.recordGeoServerRun(database.pool, run);
      return exitCodes.done;
    }
    const result = await publication.applyPublication(session, scope(database));
    if (command.json) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      printHeader(result.plan);
      printReport(result.report.steps);
    }
    const outcome = result.report.outcome;
    const run = { ...record, kind: 'apply' as const, outcome, report: result };
    await publication.recordGeoServerRun(database.pool, run);
    return outcome === 'failed' ? exitCodes.failed : exitCodes.done;
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
