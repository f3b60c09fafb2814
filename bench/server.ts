import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { send } from './http';

/**
 * The bench's own production build and server: a scratch copy of the repository (the files git
 * tracks or would track, so uncommitted work is measured too) plus the bench-only routes and page, built
 * with `next build` and started with `next start` on a free port of 127.0.0.1. The shipped app
 * never contains those routes.
 */

const BENCH_ROUTES: ReadonlyArray<{ source: string; target: string }> = [
  { source: 'bench/routes/floor.ts', target: 'app/bench-floor.txt/route.ts' },
  { source: 'bench/routes/sql.ts', target: 'app/bench-sql.txt/route.ts' },
  { source: 'bench/routes/page-floor.tsx', target: 'app/bench-page/page.tsx' },
];

export const PAGE_FLOOR_PATH = '/bench-page';

export const FLOOR_PATH = '/bench-floor.txt';

export type Workspace = { dir: string; app: string; log: string };

export function createWorkspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'chirpy-bench-'));
  return { dir, app: join(dir, 'app'), log: join(dir, 'server.log') };
}

export function removeWorkspace(workspace: Workspace): void {
  rmSync(workspace.dir, { recursive: true, force: true });
}

/** Copies the repository (without bench/: the harness is not part of the app) and adds the bench routes. */
export function prepareBuild(root: string, workspace: Workspace): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root })
    .toString()
    .split('\0')
    .filter((file) => file !== '' && !file.startsWith('bench/') && existsSync(join(root, file)));
  for (const file of files) {
    mkdirSync(dirname(join(workspace.app, file)), { recursive: true });
    cpSync(join(root, file), join(workspace.app, file));
  }
  for (const route of BENCH_ROUTES) {
    mkdirSync(dirname(join(workspace.app, route.target)), { recursive: true });
    cpSync(join(root, route.source), join(workspace.app, route.target));
  }
  // Turbopack refuses a symlinked node_modules; hard links are instant and take no space.
  execFileSync('cp', ['-al', join(root, 'node_modules'), join(workspace.app, 'node_modules')]);
}

/**
 * The caller's environment, for production, without what would turn the build or the server into
 * something else (a Vercel build swaps the embedded database out).
 */
export function baseEnv(): NodeJS.ProcessEnv {
  const dropped = new Set(['VERCEL', 'POSTGRES_URL']);
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !dropped.has(name))),
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
  };
}

const buildEnv = baseEnv;

export function buildApp(workspace: Workspace): void {
  const next = join(workspace.app, 'node_modules', 'next', 'dist', 'bin', 'next');
  try {
    execFileSync(process.execPath, [next, 'build'], {
      cwd: workspace.app,
      env: buildEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15 * 60_000,
    });
  } catch (error) {
    const output =
      error instanceof Error && 'stdout' in error && 'stderr' in error
        ? `${String(error.stdout)}${String(error.stderr)}`
        : String(error);
    throw new Error(`next build failed:\n${output.slice(-4000)}`);
  }
}

/** The schema, applied by the project's own migration command, as a deployment does. */
export function migrate(workspace: Workspace, databaseUrl: string): void {
  execFileSync('npm', ['run', '--silent', 'db:migrate'], {
    cwd: workspace.app,
    env: { ...buildEnv(), DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 120_000,
  });
}

/** A port nobody listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export type RunningServer = { port: number; process: ChildProcess };

export async function startServer(workspace: Workspace, port: number, env: NodeJS.ProcessEnv): Promise<RunningServer> {
  const next = join(workspace.app, 'node_modules', 'next', 'dist', 'bin', 'next');
  const log = openSync(workspace.log, 'a');
  const child = spawn(process.execPath, [next, 'start', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: workspace.app,
    env,
    // Its own process group, so stopping it stops whatever it started, and nothing else.
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const server = { port, process: child };
  try {
    await waitUntilHealthy(server, workspace);
  } catch (error) {
    await stopServer(server);
    throw error;
  }
  return server;
}

async function waitUntilHealthy(server: RunningServer, workspace: Workspace): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (server.process.exitCode !== null) break;
    try {
      if ((await send(server.port, 'GET', '/api/healthz', { timeoutMs: 5_000 })).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`the server did not become healthy; its log ends:\n${tail(workspace.log, 40)}`);
}

export async function stopServer(server: RunningServer): Promise<void> {
  const pid = server.process.pid;
  if (pid === undefined || server.process.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => server.process.once('exit', () => resolve()));
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const gone = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!gone) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function tail(path: string, lines: number): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
}

export function serverLogLines(workspace: Workspace): string[] {
  if (!existsSync(workspace.log)) return [];
  return readFileSync(workspace.log, 'utf8').split('\n');
}

/**
 * A database of the run's own on the PostgreSQL at `adminUrl`, named with its start time so that
 * one left behind by an interrupted run is recognised and dropped by a later one.
 */
const DATABASE_PREFIX = 'chirpy_bench_';
const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(adminUrl: string): Promise<{ name: string; url: string }> {
  const name = `${DATABASE_PREFIX}${Date.now()}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE '${DATABASE_PREFIX}%'`,
    );
    for (const { datname } of rows) {
      const startedAt = Number(datname.slice(DATABASE_PREFIX.length).split('_')[0]);
      if (Number.isFinite(startedAt) && Date.now() - startedAt > STALE_AFTER_MS) {
        await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      }
    }
    await client.query(`CREATE DATABASE ${name}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

export async function dropBenchDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
