import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { round, type Measurement } from './measure.js';

const run = promisify(execFile);

/**
 * wrk's Lua side: each thread replays the paths in order from its own offset, and the
 * summary comes back as one JSON line, latencies in microseconds.
 */
const replayScript = `
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local counter = 0
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 997)
  table.insert(threads, thread)
end

local index = nil
function request()
  if index == nil then index = offset or 0 end
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"durationUs":%d,"bytes":%d,"status":%d,"socket":%d,' ..
    '"p50":%d,"p95":%d,"p99":%d,"mean":%f}\\n',
    summary.requests, summary.duration, summary.bytes, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
`;

/** Options of one HTTP load run. */
export interface HttpLoadOptions {
  connections: number;
  durationS: number;
  threads?: number;
  headers?: Record<string, string>;
}

/**
 * Replays paths against a server on 127.0.0.1 with wrk, keep-alive, `connections` at once for
 * `durationS` seconds, and returns throughput and latency percentiles.
 */
export async function replayHttp(
  label: string,
  baseUrl: string,
  paths: string[],
  workDir: string,
  options: HttpLoadOptions,
): Promise<Measurement> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(baseUrl)) throw new Error(`refusing to load ${baseUrl}`);
  const scriptPath = path.join(workDir, 'replay.lua');
  const pathsFile = path.join(workDir, `${label.replace(/\W+/g, '-')}.paths`);
  fs.writeFileSync(scriptPath, replayScript);
  fs.writeFileSync(pathsFile, `${paths.join('\n')}\n`);

  const headerArgs = Object.entries(options.headers ?? {}).flatMap(([k, v]) => [
    '-H',
    `${k}: ${v}`,
  ]);
  const args = [
    `-t${options.threads ?? 2}`,
    `-c${options.connections}`,
    `-d${options.durationS}s`,
    '--timeout',
    '30s',
    '-s',
    scriptPath,
    ...headerArgs,
    baseUrl,
  ];
  const { stdout } = await run('wrk', args, {
    env: { ...process.env, BENCH_PATHS: pathsFile },
    maxBuffer: 1 << 20,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH '));
  if (!line) throw new Error(`wrk gave no summary: ${stdout.slice(-500)}`);
  const summary = JSON.parse(line.slice('BENCH '.length));

  const seconds = summary.durationUs / 1e6;
  return {
    label,
    requests: summary.requests,
    seconds: round(seconds),
    perSecond: round(summary.requests / seconds),
    p50Ms: round(summary.p50 / 1000),
    p95Ms: round(summary.p95 / 1000),
    p99Ms: round(summary.p99 / 1000),
    errors: summary.socket,
    meanBytes: Math.round(summary.bytes / Math.max(1, summary.requests)),
    note: `HTTP c=${options.connections}, non-2xx/3xx ${summary.status}`,
  };
}
