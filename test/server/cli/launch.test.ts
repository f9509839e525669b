import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The launcher, run in a scratch project of stand-in sources: a "server" whose primary forks a
// process (as the cluster replaces one that died) that loads a chunk of its own lazily.
const mainSource = `import cluster from 'node:cluster';
import { label } from '../web/map/label.js';

if (cluster.isPrimary) {
  console.log('primary ' + label);
  process.stdin.on('data', () => {
    cluster.fork().on('exit', (code) => console.log('fork exited ' + code));
  });
} else {
  const { lazy } = await import('./lazy.js');
  console.log('fork ' + label + ' ' + lazy);
  process.exit(0);
}
`;
const importSource = `import { label } from '../../web/map/label.js';
console.log('import ' + label);
`;

const projects: string[] = [];
const children = new Set<ReturnType<typeof spawn>>();

function write(root: string, file: string, text: string) {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
}

/** A project with the launcher, stand-in entry points, and the packages it loads. */
function makeProject(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-launch-'));
  projects.push(root);
  write(root, 'server/cli/launch.mjs', fs.readFileSync('server/cli/launch.mjs', 'utf8'));
  write(root, 'server/main.ts', mainSource);
  write(root, 'server/cli/import.ts', importSource);
  write(root, 'server/lazy.ts', "export const lazy = 'lazy';\n");
  // a worker thread's entry the launcher compiles beside the tools
  write(root, 'server/formats/kml-reader.ts', 'export {};\n');
  write(root, 'server/cql2/cql2-text.peggy', 'start = "x"\n');
  write(root, 'layers/index.ts', 'export const layerIds: string[] = [];\n');
  write(root, 'web/map/label.ts', "export const label = 'one';\n");
  write(root, 'package.json', '{ "type": "module" }\n');
  write(root, 'package-lock.json', '{}\n');
  fs.mkdirSync(path.join(root, 'node_modules'));
  for (const name of ['esbuild', 'tsx']) {
    fs.symlinkSync(path.resolve('node_modules', name), path.join(root, 'node_modules', name));
  }
  return root;
}

const cacheFolder = (root: string) => path.join(root, 'node_modules/.cache/simpul-cli');

function bundles(root: string) {
  return fs.readdirSync(cacheFolder(root)).map((name) => path.join(cacheFolder(root), name));
}

/** Runs the import stand-in to its end: its output. */
function runImport(root: string) {
  const run = spawnSync(process.execPath, [path.join(root, 'server/cli/launch.mjs'), 'import'], {
    encoding: 'utf8',
  });
  return { stdout: run.stdout, stderr: run.stderr, status: run.status };
}

/** Starts the server stand-in; a line on its standard input makes it fork a process. */
function startServer(root: string) {
  const child = spawn(process.execPath, [path.join(root, 'server/cli/launch.mjs'), 'server']);
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const waitFor = async (pattern: RegExp) => {
    await expect.poll(() => stdout, { timeout: 30000, interval: 50 }).toMatch(pattern);
  };
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    child.kill('SIGKILL');
    await exited;
    children.delete(child);
  };
  return { output: () => ({ stdout, stderr }), fork: () => child.stdin.write('\n'), waitFor, stop };
}

/** A later modification time than any file written so far, as an edit a moment later has. */
function touchLater(root: string, file: string, text: string) {
  write(root, file, text);
  const later = new Date(Date.now() + 2000);
  fs.utimesSync(path.join(root, file), later, later);
}

describe('the launcher', { timeout: 120000 }, () => {
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const root of projects) fs.rmSync(root, { recursive: true, force: true });
  });

  it('keeps the bundle a running server started from, however old, until it stops', async () => {
    const root = makeProject();
    const server = startServer(root);
    await server.waitFor(/primary one/);
    const [first] = bundles(root);
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    fs.utimesSync(first!, twoHoursAgo, twoHoursAgo);

    // The sources change and another command builds their bundle, clearing out old ones.
    touchLater(root, 'server/unused.ts', 'export const unused = 1;\n');
    expect(runImport(root).status).toBe(0);
    server.fork();
    await server.waitFor(/fork exited/);
    const keptWhileRunning = fs.existsSync(first!);
    await server.stop();
    touchLater(root, 'server/unused.ts', 'export const unused = 2;\n');
    runImport(root);

    expect(server.output().stdout).toMatch(/fork one lazy\nfork exited 0/);
    expect(keptWhileRunning).toBe(true);
    expect(fs.existsSync(first!)).toBe(false);
  });

  it('builds again when a source the bundle takes from web/map changes', () => {
    const root = makeProject();

    const before = runImport(root);
    touchLater(root, 'web/map/label.ts', "export const label = 'two';\n");
    const after = runImport(root);

    expect(before.stdout).toBe('import one\n');
    expect(after.stdout).toBe('import two\n');
  });

  it('falls back to tsx in one line when it cannot write the bundle, forks included', async () => {
    const root = makeProject();
    // A folder no one may create anything in, root included.
    fs.mkdirSync(path.dirname(cacheFolder(root)), { recursive: true });
    fs.symlinkSync('/proc/self/fdinfo', cacheFolder(root));

    const server = startServer(root);
    await server.waitFor(/primary one/);
    server.fork();
    await server.waitFor(/fork exited/);
    await server.stop();

    expect(server.output().stdout).toMatch(/fork one lazy\nfork exited 0/);
    expect(server.output().stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^launch: running server through tsx.*cannot write the bundle/),
    ]);
  });
});
