import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A throwaway PostgreSQL cluster on a free loopback port. */
export interface LocalCluster {
  url: string;
  stop(): void;
}

function findPgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs.readdirSync(root).sort((a, b) => Number(b) - Number(a));
  const withPostgis = versions.find(
    (v) =>
      fs.existsSync(`/usr/share/postgresql/${v}/extension/postgis.control`) &&
      fs.existsSync(path.join(root, v, 'bin', 'initdb')),
  );
  return withPostgis && path.join(root, withPostgis, 'bin');
}

/** True when PostgreSQL binaries and the PostGIS extension files are installed here. */
export function canStartLocalCluster(): boolean {
  return findPgBin() !== undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Runs a PostgreSQL binary; as root it runs as `postgres` (initdb refuses root). */
function runPg(bin: string, args: string[]) {
  const asRoot = process.getuid?.() === 0;
  const [command, commandArgs] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', bin, ...args]]
    : [bin, args];
  const result = spawnSync(command, commandArgs, { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`${path.basename(bin)} failed: ${result.stderr || result.stdout}`);
}

/**
 * Starts a throwaway cluster with fsync off; `stop` shuts it down and removes its folder.
 * `settings` are further server settings (`shared_buffers: '1GB'`).
 */
export async function startLocalCluster(
  settings: Record<string, string> = {},
): Promise<LocalCluster> {
  const bin = findPgBin();
  if (!bin) throw new Error('no PostgreSQL with PostGIS installed');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-pg-'));
  fs.chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);

  const data = path.join(dir, 'data');
  runPg(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  const port = await freePort();
  const all = { listen_addresses: '127.0.0.1', fsync: 'off', max_connections: '200', ...settings };
  const options = [
    `-p ${port} -k ${dir}`,
    ...Object.entries(all).map(([name, value]) => `-c ${name}=${value}`),
  ].join(' ');
  runPg(path.join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    path.join(dir, 'log'),
    '-w',
    '-t',
    '30',
    '-o',
    options,
    'start',
  ]);

  const stop = () => {
    spawnSync(
      process.getuid?.() === 0 ? 'runuser' : path.join(bin, 'pg_ctl'),
      process.getuid?.() === 0
        ? ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop']
        : ['-D', data, '-m', 'immediate', 'stop'],
    );
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}
