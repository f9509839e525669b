/**
 * Starts the server (`node server/cli/launch.mjs server`, what `npm start` runs) or a
 * command-line tool (`… launch.mjs import …`) from a bundle that esbuild compiles into
 * node_modules/.cache/simpul-cli, rebuilt (under a second) whenever a source file is newer than
 * it. Falls back to tsx when esbuild is missing or fails.
 *
 * Measured against running the sources through tsx:
 * - the import command: `--help` answers in 0.23 s instead of 0.35 to 0.5 s, and an import of
 *   100,000 road segments takes 2.07 s of processor time in Node instead of 2.44 s (tsx keeps
 *   the name of every closure it compiles and maps stack traces to the sources);
 * - the server: an idle serving process holds about 95 MB instead of 140 MB (tsx keeps its
 *   loader thread and a source map per module), which with one process per core decides
 *   whether the tile cache fits the memory goal.
 *
 * Stack traces then name the bundle's lines; the bundle carries source maps, so
 * `NODE_OPTIONS=--enable-source-maps` maps them back to the sources at some memory.
 * Files a bundled module reads beside itself (the CQL2 grammar) are copied beside the bundle.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What can be started from a bundle, and the source each starts from. */
const entryPoints = {
  server: 'server/main.ts',
  import: 'server/cli/import.ts',
};
/** Files read at run time next to their module, copied next to the bundle's chunks. */
const besideFiles = ['server/cql2/cql2-text.peggy'];
const bundledTools = Object.keys(entryPoints);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cacheFolder = path.join(root, 'node_modules/.cache/simpul-cli');
/** Bundles of older sources are removed once this old, so a run still using one can finish. */
const staleBundleMs = 60 * 60 * 1000;

const tool = process.argv[2];
if (!bundledTools.includes(tool)) {
  console.error(`launch: no bundled tool "${tool}"; known: ${bundledTools.join(', ')}`);
  process.exit(2);
}
// the tool reads its own arguments from process.argv, as when started directly
process.argv.splice(2, 1);

/** The newest modification time of the code a bundle is made of, in whole milliseconds. */
function newestSourceMs() {
  let newest = fs.statSync(path.join(root, 'package-lock.json')).mtimeMs;
  for (const folder of ['server', 'layers']) {
    const names = fs.readdirSync(path.join(root, folder), { recursive: true });
    for (const name of names.filter((n) => n.endsWith('.ts') || n.endsWith('.peggy'))) {
      newest = Math.max(newest, fs.statSync(path.join(root, folder, name)).mtimeMs);
    }
  }
  return Math.floor(newest);
}

/** Builds into a private folder, then renames it into place: a parallel start never sees half. */
async function build(target) {
  const { build: bundle, stop } = await import('esbuild');
  const building = `${target}.${randomUUID()}`;
  await bundle({
    entryPoints: Object.fromEntries(
      Object.entries(entryPoints).map(([name, source]) => [name, path.join(root, source)]),
    ),
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: building,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // esbuild's service process would otherwise live (about 45 MB) as long as the server
  await stop();
  for (const file of besideFiles) {
    fs.copyFileSync(path.join(root, file), path.join(building, path.basename(file)));
  }
  try {
    fs.renameSync(building, target);
  } catch {
    // another start built the same sources first
    fs.rmSync(building, { recursive: true, force: true });
  }
}

function removeOldBundles(current) {
  for (const name of fs.readdirSync(cacheFolder)) {
    const folder = path.join(cacheFolder, name);
    const old = Date.now() - fs.statSync(folder).mtimeMs > staleBundleMs;
    if (folder !== current && old) fs.rmSync(folder, { recursive: true, force: true });
  }
}

async function startBundled() {
  const target = path.join(cacheFolder, String(newestSourceMs()));
  if (!fs.existsSync(target)) {
    fs.mkdirSync(cacheFolder, { recursive: true });
    await build(target);
    removeOldBundles(target);
  }
  return path.join(target, `${tool}.js`);
}

let entry;
try {
  entry = await startBundled();
} catch (error) {
  console.error(`launch: running ${tool} through tsx (${error.message})`);
  const { register } = await import('tsx/esm/api');
  register();
  entry = path.join(root, entryPoints[tool]);
}
// As if started directly: the server's cluster forks its processes from the bundle itself.
// (A bundle older than an hour is removed once the sources change, so a server that outlives
// a change of its sources by an hour can no longer replace a process that died.)
process.argv[1] = entry;
await import(pathToFileURL(entry).href);
