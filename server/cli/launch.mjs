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
 *
 * A bundle stays while a process started from it runs (it marks the bundle with its pid):
 * the server forks replacements of dead processes from it and loads chunks from it lazily,
 * long after a change of the sources made newer bundles.
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
/**
 * Worker threads the bundled tools start, compiled beside them: a module loads one from its
 * own folder (`new URL('./kml-reader.js', import.meta.url)`), which in the bundle is its root.
 */
const workerEntryPoints = {
  'kml-reader': 'server/formats/kml-reader.ts',
};
/** Where the bundled sources live: a change of a file in one of them builds anew. */
const sourceFolders = ['server', 'layers', 'web/map'];
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
  for (const folder of sourceFolders.filter((f) => fs.existsSync(path.join(root, f)))) {
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
  // one clear error when the cache cannot be written, rather than one per output file
  try {
    fs.mkdirSync(building);
  } catch (error) {
    throw new Error(`cannot write the bundle: ${error.message}`);
  }
  const { metafile } = await bundle({
    entryPoints: Object.fromEntries(
      Object.entries({ ...entryPoints, ...workerEntryPoints }).map(([name, source]) => [
        name,
        path.join(root, source),
      ]),
    ),
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: building,
    sourcemap: 'linked',
    metafile: true,
    absWorkingDir: root,
    logLevel: 'warning',
  }).finally(
    // esbuild's service process would otherwise live (about 45 MB) as long as the server
    stop,
  );
  warnOfUnwatchedSources(Object.keys(metafile.inputs));
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

/** A source outside `sourceFolders` would not rebuild the bundle when it changes: say so. */
function warnOfUnwatchedSources(inputs) {
  const inFolder = (file) => sourceFolders.some((folder) => file.startsWith(`${folder}/`));
  const unwatched = inputs.filter((file) => !file.includes('node_modules/') && !inFolder(file));
  if (unwatched.length === 0) return;
  console.error(
    `launch: ${unwatched.join(', ')} outside ${sourceFolders.join(', ')}: ` +
      'add its folder to sourceFolders in server/cli/launch.mjs, or its edits will not rebuild',
  );
}

const inUsePrefix = 'in-use-';

/** Marks the bundle as used by this process (and the processes it forks) until it exits. */
function markInUse(target) {
  const marker = path.join(target, `${inUsePrefix}${process.pid}`);
  try {
    fs.writeFileSync(marker, '');
    process.on('exit', () => fs.rmSync(marker, { force: true }));
  } catch {
    // a cache this process cannot write in, where it removes nothing either
  }
}

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** True while a process that marked the bundle runs (a marker left by a kill is ignored). */
function isInUse(folder) {
  const pids = fs.readdirSync(folder).filter((name) => name.startsWith(inUsePrefix));
  return pids.some((name) => isRunning(Number(name.slice(inUsePrefix.length))));
}

function removeOldBundles(current) {
  for (const name of fs.readdirSync(cacheFolder)) {
    const folder = path.join(cacheFolder, name);
    try {
      const old = Date.now() - fs.statSync(folder).mtimeMs > staleBundleMs;
      if (folder !== current && old && !isInUse(folder)) {
        fs.rmSync(folder, { recursive: true, force: true });
      }
    } catch {
      // removed meanwhile by another start
    }
  }
}

async function startBundled() {
  const target = path.join(cacheFolder, String(newestSourceMs()));
  if (!fs.existsSync(target)) {
    fs.mkdirSync(cacheFolder, { recursive: true });
    await build(target);
    removeOldBundles(target);
  }
  markInUse(target);
  return path.join(target, `${tool}.js`);
}

let entry;
try {
  entry = await startBundled();
} catch (error) {
  const reason = error.errors?.[0]?.text ?? error.message.split('\n')[0];
  console.error(`launch: running ${tool} through tsx, which holds more memory (${reason})`);
  const { register } = await import('tsx/esm/api');
  register();
  // the processes the server's cluster forks load the sources through tsx too
  process.execArgv.push('--import', import.meta.resolve('tsx'));
  entry = path.join(root, entryPoints[tool]);
}
// As if started directly: the server's cluster forks its processes from the bundle itself.
process.argv[1] = entry;
await import(pathToFileURL(entry).href);
