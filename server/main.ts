/**
 * The server's entry point (`npm start`): one process, or with `SIMPUL_PROCESSES` a primary
 * that prepares the database through a short-lived process, then forks the serving ones. The
 * serving code is imported only where it runs: the primary holds none of it.
 */

const usage = `Usage: [VARIABLE=value ...] npm start

Starts Simpul: the web map, the APIs and the tiles on http://HOST:PORT (127.0.0.1:3000 by
default), on the embedded database in SIMPUL_DATA_DIR (./data) unless DATABASE_URL names a
PostgreSQL server. It takes no arguments: every setting is an environment variable (PORT,
HOST, DATABASE_URL, SIMPUL_PROCESSES, LOG_LEVEL...), listed under Configuration in README.md.
Ctrl-C or SIGTERM stops it once the requests in flight are answered.`;

async function failedStart(error: unknown): Promise<never> {
  const { exitAfterFailedStart } = await import('./startup.js');
  return exitAfterFailedStart(error);
}

// Checked before anything is opened: an argument such as `--port 4000` was ignored, and the
// server started on the configured port (or created an embedded database) all the same.
const args = process.argv.slice(2);
if (args.length === 1 && ['--help', '-h'].includes(args[0]!)) {
  console.log(usage);
  process.exit(0);
}
if (args.length > 0) {
  console.error(
    `start: Simpul takes no arguments; got "${args.join(' ')}". Set environment variables ` +
      `instead, such as PORT=4000 npm start\n\n${usage}`,
  );
  process.exit(2);
}

const { runServerProcesses } = await import('./processes.js');
runServerProcesses(async (seed) => (await import('./serve.js')).serve(seed)).catch(failedStart);
