import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { layerDefinitions } from '../../layers/index.js';
import { startEmbeddedDatabase } from '../../server/db/embedded.js';
import { migrate } from '../../server/db/migrate.js';
import { seedLayers } from '../../server/services/seed-service.js';
import { canStartLocalCluster, startLocalCluster } from './local-cluster.js';

/** The template database every test database is copied from: migrated and seeded. */
export const templateDatabase = 'simpul_template';

interface ChosenServer {
  kind: 'DATABASE_URL' | 'container' | 'local cluster' | 'embedded';
  adminUrl: string;
  stop(): Promise<void>;
}

async function tryContainer(): Promise<ChosenServer | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
  } catch {
    return undefined;
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgis/postgis:15-3.4').start();
  return {
    kind: 'container',
    adminUrl: container.getConnectionUri(),
    stop: async () => void (await container.stop()),
  };
}

/** DATABASE_URL, else a container, else a local cluster, else the embedded database. */
async function chooseServer(): Promise<ChosenServer> {
  if (process.env.DATABASE_URL) {
    return {
      kind: 'DATABASE_URL',
      adminUrl: process.env.DATABASE_URL,
      stop: async () => undefined,
    };
  }
  const container = await tryContainer();
  if (container) return container;
  if (canStartLocalCluster()) {
    const cluster = await startLocalCluster();
    return { kind: 'local cluster', adminUrl: cluster.url, stop: async () => cluster.stop() };
  }
  const embedded = await startEmbeddedDatabase(
    fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-embedded-')),
  );
  return { kind: 'embedded', adminUrl: embedded.url, stop: embedded.stop };
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function buildTemplate(adminUrl: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase}`);
  await admin.query(`CREATE DATABASE ${templateDatabase}`);
  await admin.end();

  const templateUrl = withDatabase(adminUrl, templateDatabase);
  const pool = new pg.Pool({ connectionString: templateUrl, max: 1 });
  await pool.query('CREATE EXTENSION IF NOT EXISTS postgis');
  await migrate(pool, layerDefinitions);
  await seedLayers(pool, layerDefinitions, path.resolve('seeds/cilacap'));
  await pool.end();
  return templateUrl;
}

/**
 * Chooses a real PostGIS for the whole run, prints which, and prepares a migrated and seeded
 * template database. A run without any database fails here, saying how to get one.
 */
export default async function setup(project: TestProject) {
  const server = await chooseServer().catch((error: Error) => {
    throw new Error(
      `no PostGIS for the tests (${error.message}). Set DATABASE_URL, or install ` +
        'postgresql-15 and postgresql-15-postgis-3 (see .ci/run).',
    );
  });
  console.log(`[simpul tests] database: ${server.kind}`);

  const embedded = server.kind === 'embedded';
  const webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-web-'));
  const [templateUrl] = await Promise.all([
    embedded ? buildEmbeddedSeed(server.adminUrl) : buildTemplate(server.adminUrl),
    buildWebClient(webDir),
  ]);

  project.provide('adminUrl', server.adminUrl);
  project.provide('templateUrl', templateUrl);
  project.provide('databaseKind', server.kind);
  project.provide('webDir', webDir);
  return async () => {
    await server.stop();
    fs.rmSync(webDir, { recursive: true, force: true });
  };
}

/**
 * Builds the web client once for every browser test, into a folder of the run's own: builds in
 * parallel test files would empty a folder while another file's server reads it.
 */
async function buildWebClient(outDir: string) {
  const { build } = await import('vite');
  const configFile = path.resolve('web/vite.config.ts');
  await build({ configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

async function buildEmbeddedSeed(url: string): Promise<string> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  await migrate(pool, layerDefinitions);
  await seedLayers(pool, layerDefinitions, path.resolve('seeds/cilacap'));
  await pool.end();
  return url;
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateUrl: string;
    databaseKind: string;
    /** The web client built once for this run (serve it with startTestServer). */
    webDir: string;
  }
}
