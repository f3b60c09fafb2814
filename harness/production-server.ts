import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { send } from './http';
import { freePort } from './ports';

/**
 * The app as it runs in production: `next build`, then `next start` on a loopback port, healthy
 * once `GET /api/healthz` answers 200, stopped with its whole process group. The bench, the
 * reliability suite and the scripts start their servers here; what differs between them (the
 * folder, the environment, node flags, ports to avoid) is an option.
 */

const BUILD_TIMEOUT_MS = 15 * 60_000;
const HEALTHY_WITHIN_MS = 90_000;
const STOP_GRACE_MS = 10_000;

function nextBin(cwd: string): string {
  return join(cwd, 'node_modules', 'next', 'dist', 'bin', 'next');
}

const START_SCRIPT = /^node((?: --[a-z-]+(?:=\S+)?)*) node_modules\/next\/dist\/bin\/next start$/;

/**
 * The node flags `npm start` runs the server with, read from the folder's package.json, so that
 * what the harness measures and tests is the server as `npm start` runs it.
 */
export function startFlags(cwd: string): string[] {
  const manifest: unknown = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
  const script =
    typeof manifest === 'object' && manifest !== null && 'scripts' in manifest ? manifest.scripts : undefined;
  const start = typeof script === 'object' && script !== null && 'start' in script ? script.start : undefined;
  const match = typeof start === 'string' ? START_SCRIPT.exec(start) : null;
  if (match === null) throw new Error(`package.json's start script is not "node [flags] ${START_SCRIPT.source}"`);
  return (match[1] ?? '').trim().split(' ').filter(Boolean);
}

/**
 * The caller's environment for a production build, without what would turn it into something
 * else: a Vercel build swaps the embedded database out.
 */
export function buildEnvironment(): NodeJS.ProcessEnv {
  const dropped = new Set(['VERCEL', 'POSTGRES_URL']);
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !dropped.has(name))),
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
  };
}

/**
 * `next build` in `cwd`. `reuse` starts from the build already there instead (CI builds once for
 * every suite), and fails at once when there is none rather than when the server will not start.
 * `showOutput` streams the build's output; otherwise it is kept and its end thrown on failure.
 */
export function buildProduction(options: { cwd: string; reuse?: boolean; showOutput?: boolean }): void {
  const { cwd } = options;
  if (options.reuse) {
    if (!existsSync(join(cwd, '.next', 'BUILD_ID')))
      throw new Error(`no production build in ${cwd}: run npm run build`);
    return;
  }
  try {
    execFileSync(process.execPath, [nextBin(cwd), 'build'], {
      cwd,
      env: buildEnvironment(),
      stdio: ['ignore', options.showOutput ? 'inherit' : 'pipe', options.showOutput ? 'inherit' : 'pipe'],
      timeout: BUILD_TIMEOUT_MS,
    });
  } catch (error) {
    const output =
      error instanceof Error && 'stdout' in error && 'stderr' in error
        ? `${String(error.stdout)}${String(error.stderr)}`
        : String(error);
    throw new Error(`next build failed in ${cwd}:\n${output.slice(-4000)}`);
  }
}

/**
 * Of the caller's shell, only what any process needs: a server's settings are the caller's to
 * state, so a stray BCRYPT_COST or DATABASE_URL in the shell cannot change what is measured.
 */
const FROM_THE_SHELL = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG', 'LC_ALL'];

/** Environment variables, some of them: NodeJS.ProcessEnv insists on NODE_ENV. */
export type Variables = Record<string, string | undefined>;

function fromTheShell(): Variables {
  return Object.fromEntries(
    FROM_THE_SHELL.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])),
  );
}

export type ServerOptions = {
  /** The folder with the build (`.next`) and `node_modules`. */
  cwd: string;
  /** The server's settings, given the port it will listen on; the shell's essentials and production marks are added. */
  env: (port: number) => Variables;
  /** Where its output goes (appended). */
  log: string;
  /** Flags for the node process that runs `next start`, after those of `npm start` (startFlags). */
  nodeArgs?: readonly string[];
  /** Ports it must not take, for servers that other tools start on fixed ports. */
  avoidPorts?: readonly number[];
  /** Unset or true: resolve once it is healthy. False: resolve at once, and await `healthy()`. */
  waitUntilHealthy?: boolean;
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
};

export type ProductionServer = {
  port: number;
  url: string;
  pid: number;
  process: ChildProcess;
  log: string;
  /** Resolves once it answers its health check; rejects with the log's end if it exits or takes too long. */
  healthy: () => Promise<void>;
  stop: () => Promise<void>;
};

/** Servers still running, so that none outlives the process that started it. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) signalGroup(child, 'SIGKILL');
});

export async function startProductionServer(options: ServerOptions): Promise<ProductionServer> {
  const port = await freePort(options.avoidPorts);
  const log = openSync(options.log, 'a');
  const child = spawn(
    process.execPath,
    [
      ...startFlags(options.cwd),
      ...(options.nodeArgs ?? []),
      nextBin(options.cwd),
      'start',
      '--hostname',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    {
      cwd: options.cwd,
      env: {
        ...fromTheShell(),
        ...options.env(port),
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        PORT: String(port),
      },
      // Its own process group, so stopping it stops whatever it started, and nothing else.
      detached: true,
      stdio: ['ignore', log, log],
    },
  );
  closeSync(log);
  if (child.pid === undefined) throw new Error('next start did not start');
  running.add(child);
  child.once('exit', (code, signal) => {
    running.delete(child);
    options.onExit?.(code, signal);
  });
  const server: ProductionServer = {
    port,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    process: child,
    log: options.log,
    healthy: () => waitUntilHealthy(server),
    stop: () => stop(child),
  };
  if (options.waitUntilHealthy === false) return server;
  try {
    await server.healthy();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function waitUntilHealthy(server: ProductionServer): Promise<void> {
  const deadline = Date.now() + HEALTHY_WITHIN_MS;
  while (Date.now() < deadline && server.process.exitCode === null && server.process.signalCode === null) {
    try {
      if ((await send(server.port, 'GET', '/api/healthz', { timeoutMs: 5_000 })).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  const state = server.process.exitCode === null ? `not healthy within ${HEALTHY_WITHIN_MS / 1000} s` : 'exited';
  throw new Error(`the server on ${server.url} ${state}; its log ends:\n${tail(server.log, 40)}`);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (!signalGroup(child, 'SIGTERM')) return;
  const gone = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
  if (!gone) {
    signalGroup(child, 'SIGKILL');
    await exited;
  }
}

/** The last `lines` lines of a log, or nothing if there is none yet. */
export function tail(path: string, lines: number): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
}
