import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitFor(url: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function childPids(pid: number): number[] {
  try {
    const text = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text ? text.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

/** A line of a /proc file in kB, as MB; 0 once the process is gone. */
function procMb(file: string, pattern: RegExp): number {
  try {
    return Number(pattern.exec(fs.readFileSync(file, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

const rssMb = (pid: number) => procMb(`/proc/${pid}/status`, /VmRSS:\s+(\d+)/);

/**
 * The resident memory of several processes together, in MB: the pages each holds privately,
 * plus every page of a shared file mapping once (the largest resident share of that mapping
 * among them). A sum of RSS counts the Node binary, which the processes of a server all map,
 * once per process.
 */
function residentTogetherMb(pids: number[]): number {
  let privateKb = 0;
  const sharedKb = new Map<string, number>();
  for (const pid of pids) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8');
    } catch {
      continue; // the process is gone
    }
    let mapping = '';
    let shared = 0;
    const keep = () => {
      if (mapping) sharedKb.set(mapping, Math.max(sharedKb.get(mapping) ?? 0, shared));
    };
    for (const line of text.split('\n')) {
      const header = /^[0-9a-f]+-[0-9a-f]+ \S+ ([0-9a-f]+) (\S+) (\d+)/.exec(line);
      if (header) {
        keep();
        // device, inode and offset name a file mapping; an anonymous one (inode 0) is private
        mapping = header[3] === '0' ? `${pid} ${line}` : `${header[2]} ${header[3]} ${header[1]}`;
        shared = 0;
        continue;
      }
      const field = /^(Private_Clean|Private_Dirty|Shared_Clean|Shared_Dirty):\s+(\d+)/.exec(line);
      if (!field) continue;
      if (field[1]!.startsWith('Private')) privateKb += Number(field[2]);
      else shared += Number(field[2]);
    }
    keep();
  }
  let total = privateKb;
  for (const kb of sharedKb.values()) total += kb;
  return total / 1024;
}

/** A started process, the memory of it and its children sampled twice a second. */
export interface RunningProcess {
  baseUrl: string;
  pid: number;
  /**
   * Largest and latest resident memory of the process and its children, in MB: RSS summed,
   * and the largest resident memory of them together (see `residentTogetherMb`).
   */
  memory(): { peakMb: number; lastMb: number; peakTogetherMb: number };
  stop(): Promise<void>;
}

function track(child: ChildProcess, baseUrl: string): RunningProcess {
  let peakMb = 0;
  let lastMb = 0;
  let peakTogetherMb = 0;
  const sample = () => {
    const pids = [child.pid!, ...childPids(child.pid!)];
    lastMb = pids.reduce((sum, pid) => sum + rssMb(pid), 0);
    peakMb = Math.max(peakMb, lastMb);
    // Shared pages are told apart only among several processes; one is its own RSS.
    if (pids.length > 1) peakTogetherMb = Math.max(peakTogetherMb, residentTogetherMb(pids));
    else peakTogetherMb = peakMb;
  };
  const timer = setInterval(sample, 500);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    baseUrl,
    pid: child.pid!,
    memory: () => {
      sample();
      return {
        peakMb: Math.round(peakMb),
        lastMb: Math.round(lastMb),
        peakTogetherMb: Math.round(peakTogetherMb),
      };
    },
    stop: async () => {
      clearInterval(timer);
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 12000);
      await exited;
      clearTimeout(forced);
    },
  };
}

/** Starts Simpul as `npm start` does, on a free port with extra environment. */
export async function startSimpul(env: Record<string, string>, logFile: string) {
  const port = await freePort();
  const log = fs.openSync(logFile, 'a');
  // the command line of `npm start` (package.json)
  const args = ['--max-semi-space-size=2', 'server/cli/launch.mjs', 'server'];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), SIMPUL_AUTO_SEED: '0', ...env },
    stdio: ['ignore', log, log],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(`${baseUrl}/health`, 120000);
  return track(child, baseUrl);
}

/**
 * Starts Debian's nginx serving `root` (a folder in tmpfs): the warm limit, a static file
 * server handing out the same tile bytes. An absent file answers 204, as Simpul does.
 */
export async function startNginx(root: string, workDir: string) {
  const port = await freePort();
  const conf = path.join(workDir, 'nginx.conf');
  fs.writeFileSync(
    conf,
    `worker_processes 2;
daemon off;
pid ${workDir}/nginx.pid;
error_log ${workDir}/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  open_file_cache max=10000 inactive=60s;
  gzip_static on;
  types { application/vnd.mapbox-vector-tile mvt; }
  client_body_temp_path ${workDir}/nginx-body;
  proxy_temp_path ${workDir}/nginx-proxy;
  fastcgi_temp_path ${workDir}/nginx-fastcgi;
  uwsgi_temp_path ${workDir}/nginx-uwsgi;
  scgi_temp_path ${workDir}/nginx-scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / { try_files $uri =204; }
  }
}
`,
  );
  const child = spawn('nginx', ['-c', conf, '-p', workDir], { stdio: 'ignore' });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(`${baseUrl}/`, 10000);
  return track(child, baseUrl);
}
