/**
 * `npm run bench`: runs every `test/bench/*-bench.ts` module's `run()` in turn, or only those
 * whose file name contains an argument (`npm run bench -- tiles`). Benchmarks are not tests:
 * they take minutes, start their own throwaway PostgreSQL, and print figures to compare.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const folder = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = fs
  .readdirSync(folder)
  .filter((file) => file.endsWith('-bench.ts'))
  .filter((file) => wanted.length === 0 || wanted.some((word) => file.includes(word)))
  .sort();

if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(', ')}`);
  process.exit(1);
}
interface BenchModule {
  run?: () => Promise<void>;
  /** Commands the benchmark runs besides Node. */
  tools?: string[];
}
const modules: [string, BenchModule][] = [];
for (const file of files) {
  modules.push([file, (await import(pathToFileURL(path.join(folder, file)).href)) as BenchModule]);
}

/** Debian packages of the commands benchmarks run (none is needed by the tests). */
const packages: Record<string, string> = {
  wrk: 'wrk',
  nginx: 'nginx-light',
  ogr2ogr: 'gdal-bin',
  '/usr/bin/time': 'time',
};
const isInstalled = (tool: string) =>
  tool.startsWith('/') ? fs.existsSync(tool) : spawnSync('which', [tool]).status === 0;
const missing = [...new Set(modules.flatMap(([, m]) => m.tools ?? []))].filter(
  (tool) => !isInstalled(tool),
);
if (missing.length > 0) {
  const install = missing.map((tool) => packages[tool] ?? tool).join(' ');
  console.error(`npm run bench needs ${missing.join(', ')}: apt-get install ${install}`);
  process.exit(1);
}

for (const [file, module] of modules) {
  if (typeof module.run !== 'function') continue;
  console.log(`\n=== ${file}`);
  await module.run();
}
