import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { selectLastGeoServerRun } from '../../../server/db/queries/geoserver-runs.js';
import { startGeoServerStandIn, type GeoServerStandIn } from '../../support/geoserver-stand-in.js';

const root = path.resolve(import.meta.dirname, '../../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

/** A loopback port nothing listens on: taken from the system, then released. */
async function findClosedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('npm run geoserver', () => {
  let database: TestDatabase;
  let geoserver: GeoServerStandIn;

  beforeAll(async () => {
    database = await createTestDatabase();
    geoserver = await startGeoServerStandIn();
  });
  afterAll(async () => {
    await geoserver.close();
    await database.drop();
  });

  async function run(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
    const baseEnv = {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'silent',
      DATABASE_URL: database.url,
      GEOSERVER_URL: geoserver.restUrl,
      GEOSERVER_USER: geoserver.user,
      GEOSERVER_PASSWORD: geoserver.password,
      GEOSERVER_DATASTORE_URL: 'postgres://reader:db-secret@db.internal/simpul',
      GEOSERVER_TIMEOUT_MS: '2000',
    };
    const command = promisify(execFile)(tsx, ['server/cli/geoserver.ts', ...args], {
      cwd: root,
      env: { ...baseEnv, ...env },
    });
    return command.then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        stdout: error.stdout,
        stderr: error.stderr,
      }),
    );
  }

  it('plans without writing, then applies, then finds nothing to change', async () => {
    const plan = await run(['plan']);
    const writesAfterPlan = geoserver.writes().length;
    const apply = await run(['apply']);
    const again = await run(['plan', '--json']);

    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^GeoServer 2\.28\.2 at http/);
    expect(plan.stdout).toMatch(/create\s+featureType\s+kecamatan/);
    expect(writesAfterPlan).toBe(0);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/Applied: \d+ done, 0 unchanged\./);
    expect(JSON.parse(again.stdout).counts).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(plan.stdout + apply.stdout + again.stdout).not.toContain('db-secret');
  });

  it('exits 1 on a failed step, saying what was not done, and the next apply resumes', async () => {
    geoserver.catalog.styles.delete('cilacap/desa');
    geoserver.catalog.layerGroups.delete('cilacap/administrative');
    geoserver.addFault({ method: 'POST', path: /\/styles/, status: 500, times: 1 });

    const failed = await run(['apply']);
    const resumed = await run(['apply']);

    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/failed\s+create\s+style\s+desa/);
    expect(failed.stdout).toMatch(/not-done\s+create\s+layerGroup\s+administrative/);
    expect(failed.stdout).toContain('Run apply again to resume');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/done\s+create\s+style\s+desa/);
  });

  it('exits 3 for a vulnerable GeoServer, naming the CVE, and proceeds with --force', async () => {
    geoserver.setVersion('2.23.5');

    const refused = await run(['plan']);
    const forced = await run(['plan', '--force']);
    geoserver.setVersion('2.28.2');

    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/Refused: GeoServer 2\.23\.5 is affected by CVE-2024-36401/);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/WARNING \(forced\): GeoServer 2\.23\.5/);
  });

  it('exits 1 quickly and says so when no GeoServer answers', async () => {
    const port = await findClosedPort();
    const startedAt = Date.now();

    const result = await run(['plan'], {
      GEOSERVER_URL: `http://127.0.0.1:${port}/geoserver/rest`,
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/GeoServer unavailable: cannot reach .* connection refused/);
    expect(Date.now() - startedAt).toBeLessThan(15000);
  });

  it('records an apply that cannot reach GeoServer as the last result, saying so', async () => {
    const port = await findClosedPort();

    const result = await run(['apply', '--json'], {
      GEOSERVER_URL: `http://127.0.0.1:${port}/geoserver/rest`,
    });
    const { getLastApply } = await import('../../../server/geoserver/publication.js');
    const recorded = await getLastApply(database.database.pool);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      report: { outcome: 'failed', steps: [] },
      failedStage: 'connect',
    });
    expect(result.stderr).toContain('Apply failed while asking GeoServer its version; recorded');
    expect(recorded).toMatchObject({
      outcome: 'failed',
      failedStage: 'connect',
      requestedBy: 'cli',
      geoserverUrl: `http://127.0.0.1:${port}/geoserver/rest`,
    });
    expect(recorded?.error).toMatch(/cannot reach GeoServer .* connection refused/);
  });

  it('records a plan that cannot reach GeoServer and an apply missing a variable', async () => {
    const port = await findClosedPort();
    const pool = database.database.pool;
    const closedUrl = `http://127.0.0.1:${port}/geoserver/rest`;

    const plan = await run(['plan'], { GEOSERVER_URL: closedUrl });
    const planRecord = await selectLastGeoServerRun(pool, 'plan');
    const apply = await run(['apply'], { GEOSERVER_PASSWORD: '' });
    const applyRecord = await selectLastGeoServerRun(pool, 'apply');

    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('Plan failed while asking GeoServer its version; recorded');
    expect(planRecord).toMatchObject({ outcome: 'failed', failedStage: 'connect' });
    expect(planRecord?.error).toMatch(/cannot reach GeoServer .* connection refused/);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('GEOSERVER_PASSWORD is not set');
    expect(apply.stderr).toContain('Apply failed while reading the configuration; recorded');
    expect(applyRecord).toMatchObject({
      outcome: 'failed',
      failedStage: 'configure',
      requestedBy: 'cli',
      geoserverUrl: geoserver.restUrl,
    });
    expect(applyRecord?.error).toMatch(/^GEOSERVER_PASSWORD is not set/);
  });

  it('prints what failed as JSON with --json, whatever stops it early', async () => {
    const closed = `http://127.0.0.1:${await findClosedPort()}/geoserver/rest`;
    const closedDatabase = `postgres://simpul@127.0.0.1:${await findClosedPort()}/simpul`;
    geoserver.setVersion('2.23.5');
    const refused = await run(['plan', '--json']);
    geoserver.setVersion('2.28.2');

    const results = {
      unreachable: await run(['plan', '--json'], { GEOSERVER_URL: closed }),
      missing: await run(['plan', '--json'], { GEOSERVER_USER: '' }),
      badVariable: await run(['plan', '--json'], { GEOSERVER_TIMEOUT_MS: 'soon' }),
      noDatabase: await run(['plan', '--json'], { DATABASE_URL: closedDatabase }),
      applyUnreachable: await run(['apply', '--json'], { GEOSERVER_URL: closed }),
      refused,
    };
    const printed = Object.fromEntries(
      Object.entries(results).map(([name, { code, stdout }]) => {
        const { outcome, failedStage, error } = JSON.parse(stdout);
        return [name, { code, outcome, failedStage, error }];
      }),
    );

    const failed = (failedStage: string, error: RegExp, code = 1) => ({
      code,
      outcome: 'failed',
      failedStage,
      error: expect.stringMatching(error),
    });
    expect(printed).toEqual({
      unreachable: failed('connect', /^GeoServer unavailable: cannot reach .* refused/),
      missing: failed('configure', /^GEOSERVER_USER is not set/),
      badVariable: failed('configure', /GEOSERVER_TIMEOUT_MS must be an integer .*"soon"/),
      noDatabase: failed('database', /ECONNREFUSED|connect/i),
      applyUnreachable: failed('connect', /^GeoServer unavailable: cannot reach/),
      refused: failed('connect', /^Refused: GeoServer 2\.23\.5 is affected by CVE-/, 3),
    });
    expect(JSON.parse(results.applyUnreachable.stdout).report).toEqual({
      outcome: 'failed',
      steps: [],
    });
    // six commands started one after another: a loaded machine took over 30 s for them
  }, 120_000);

  it('refuses a namespace URI that is not absolute, naming it, writing nothing', async () => {
    const written = geoserver.writes().length;

    const result = await run(['plan'], { GEOSERVER_NAMESPACE_URI: 'cilacap' });
    const recorded = await selectLastGeoServerRun(database.database.pool, 'plan');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'GEOSERVER_NAMESPACE_URI must be an absolute URI, such as urn:simpul:regency:33.01',
    );
    expect(result.stderr).not.toContain('    at ');
    expect(recorded).toMatchObject({ outcome: 'failed', failedStage: 'configure' });
    expect(geoserver.writes().length).toBe(written);
  });

  it('refuses a data store schema that is no plain identifier as it starts', async () => {
    const written = geoserver.writes().length;
    const before = await selectLastGeoServerRun(database.database.pool, 'apply');
    const datastoreUrl = 'postgres://reader:db-secret@db.internal/simpul?schema=x;drop';

    const result = await run(['apply'], { GEOSERVER_DATASTORE_URL: datastoreUrl });
    const recorded = await selectLastGeoServerRun(database.database.pool, 'apply');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'GEOSERVER_DATASTORE_URL names the schema "x;drop", which is not a plain PostgreSQL',
    );
    expect(result.stderr).not.toContain('db-secret');
    // refused with the configuration, as every command and the server refuse it: nothing is
    // recorded then, since the database may be the value at fault
    expect(recorded?.id).toBe(before?.id);
    expect(geoserver.writes().length).toBe(written);
  });

  it('names the missing variable and shows its usage on a wrong command', async () => {
    const missing = await run(['plan'], { GEOSERVER_PASSWORD: '' });
    const wrong = await run(['publish']);

    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('GEOSERVER_PASSWORD is not set');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('Usage: npm run geoserver -- plan|apply');
  });

  it('prints its usage for --help and -h, and exits 0 without asking GeoServer', async () => {
    const asked = geoserver.requests.length;

    const long = await run(['--help']);
    const short = await run(['apply', '-h']);

    expect([long.code, short.code]).toEqual([0, 0]);
    expect(long.stdout).toMatch(/^Usage: npm run geoserver -- plan\|apply/);
    expect(short.stdout).toBe(long.stdout);
    expect(long.stderr + short.stderr).toBe('');
    expect(geoserver.requests.length).toBe(asked);
  });

  it('names an unknown option in one line with the usage, without a stack trace', async () => {
    const result = await run(['plan', '--dryrun']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^geoserver: unknown option --dryrun\n/);
    expect(result.stderr).toContain('Usage: npm run geoserver -- plan|apply');
    expect(result.stderr).not.toContain('    at ');
  });
});
