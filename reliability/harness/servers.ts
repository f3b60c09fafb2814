import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A production server (`next start`) of the suite's: on a free loopback port, its output in the
 * run's folder (`server-<name>.log`, which the leak check reads), and a file recording its exit.
 * The global setup starts the two every part shares; a part that needs other settings starts one
 * of its own.
 */

export type ServerInfo = { name: string; url: string; port: number; pid: number };

export type StartedServer = {
  info: ServerInfo;
  process: ChildProcess;
  /** Resolves once it answers its health check (within 90 s). */
  healthy: () => Promise<void>;
  stop: () => Promise<void>;
};

const ROOT = process.cwd();
const NEXT_BIN = join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
const GARBAGE_COLLECTOR = join(ROOT, 'reliability', 'harness', 'collect-garbage.cjs');

/** A port nobody listens on now (loopback only). Never 3100, which the end-to-end server uses. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address !== null ? address.port : 0;
        server.close(() => resolve(chosen));
      });
    });
    if (port !== 3100 && port !== 0) return port;
  }
}

export async function startServer(options: {
  name: string;
  runDir: string;
  env: (port: number) => NodeJS.ProcessEnv;
  waitUntilHealthy?: boolean;
}): Promise<StartedServer> {
  const { name, runDir } = options;
  const port = await freePort();
  const log = createWriteStream(join(runDir, `server-${name}.log`));
  const args = ['--expose-gc', '--require', GARBAGE_COLLECTOR, NEXT_BIN, 'start', '--hostname', '127.0.0.1'];
  const server = spawn(process.execPath, [...args, '--port', String(port)], {
    cwd: ROOT,
    env: options.env(port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.pipe(log);
  server.stderr?.pipe(log);
  server.on('exit', (code, signal) => {
    writeFileSync(join(runDir, `server-${name}.exit`), `${code ?? ''} ${signal ?? ''}\n`);
  });
  if (server.pid === undefined) throw new Error('next start did not start');
  const info = { name, url: `http://127.0.0.1:${port}`, port, pid: server.pid };
  const started = {
    info,
    process: server,
    healthy: () => waitUntilHealthy(info.url, server),
    stop: () => stop(server),
  };
  if (options.waitUntilHealthy !== false) await started.healthy();
  return started;
}

async function waitUntilHealthy(url: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server for ${url} exited with ${server.exitCode} while starting`);
    try {
      const response = await fetch(`${url}/api/healthz`);
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(`server for ${url} did not become healthy within 90 s`);
}

function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => server.kill('SIGKILL'), 5_000);
    server.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    server.kill('SIGTERM');
  });
}
