/**
 * `npm run bench`: runs every `test/bench/*-bench.ts` module's `run()` in turn, or only those
 * whose file name contains an argument (`npm run bench -- tiles`). Benchmarks are not tests:
 * they take minutes, start their own throwaway PostgreSQL, and print figures to compare.
 */
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
for (const file of files) {
  const module = (await import(pathToFileURL(path.join(folder, file)).href)) as {
    run?: () => Promise<void>;
  };
  if (typeof module.run !== 'function') continue;
  console.log(`\n=== ${file}`);
  await module.run();
}
