import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestProject } from 'vitest/node';
import { openNodePostgres } from '../../lib/db/node-postgres';
import { createFreshDatabase, dropDatabase } from '../../test/databases';
import { startTcpRelay, type TcpRelay } from '../../test/tcp-relay';
import { printReport } from './report';
import { scanServerOutput } from './secrets';
import { serverEnvironment } from './settings';

export type ServerInfo = { name: string; url: string; port: number; pid: number };

declare module 'vitest' {
  export interface ProvidedContext {
    reliabilityServers: ServerInfo[];
    reliabilityDatabaseUrl: string;
    reliabilityAdminUrl: string;
    reliabilityControlUrl: string;
    reliabilityRunDir: string;
    reliabilityJwtSecret: string;
    reliabilityPolkaKey: string;
    reliabilityCronSecret: string;
  }
}

const ROOT = process.cwd();
const ADMIN_URL = process.env.RELIABILITY_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NEXT_BIN = join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
const GARBAGE_COLLECTOR = join(ROOT, 'reliability', 'harness', 'collect-garbage.cjs');

/** A port nobody listens on now (loopback only). Never 3100, which the end-to-end server uses. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createNetServer();
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

function build(): void {
  if (process.env.RELIABILITY_SKIP_BUILD === '1') {
    console.log('reliability: reusing the existing production build (RELIABILITY_SKIP_BUILD=1)');
    return;
  }
  console.log('reliability: next build …');
  const result = spawnSync(process.execPath, [NEXT_BIN, 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error(`next build failed with status ${result.status}`);
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

/** Starts the relay's remote control: the test worker cuts, stalls and restores it over HTTP. */
async function startControl(relay: TcpRelay): Promise<{ url: string; server: Server; faults: () => number }> {
  let faults = 0;
  const server = createHttpServer((request, response) => {
    const action = request.url?.slice(1);
    if (request.method === 'POST' && (action === 'cut' || action === 'stall')) {
      faults += 1;
      relay[action]();
    } else if (request.method === 'POST' && action === 'restore') {
      relay.restore();
    } else {
      response.statusCode = 404;
    }
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('control server has no port');
  return { url: `http://127.0.0.1:${address.port}`, server, faults: () => faults };
}

function stopServer(server: ChildProcess): Promise<void> {
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

/**
 * One production build, one fresh database, a TCP relay of the suite's own in front of it, and
 * two `next start` servers on that relay: the app as it scales out. The servers' output goes to
 * files in the run's folder, which the leak check reads at the end of the suite and again here.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  build();
  const runDir = mkdtempSync(join(tmpdir(), 'chirpy-reliability-'));
  const database = await createFreshDatabase(ADMIN_URL);
  const cleanups: Array<() => Promise<void> | void> = [() => dropDatabase(ADMIN_URL, database.name)];
  const servers: ChildProcess[] = [];
  try {
    const open = await openNodePostgres(database.url);
    await open.migrate().finally(() => open.close());

    const direct = new URL(database.url);
    const relay = await startTcpRelay({ host: '127.0.0.1', port: Number(direct.port || 5432) });
    cleanups.unshift(() => relay.close());
    const relayed = new URL(direct);
    relayed.host = `127.0.0.1:${relay.port}`;
    const control = await startControl(relay);
    cleanups.unshift(() => new Promise<void>((resolve) => control.server.close(() => resolve())));

    const secrets = {
      jwtSecret: randomBytes(32).toString('hex'),
      polkaKey: `polka-${randomBytes(16).toString('hex')}`,
      cronSecret: `cron-${randomBytes(16).toString('hex')}`,
    };
    writeFileSync(join(runDir, 'secrets.txt'), `${Object.values(secrets).join('\n')}\n`);

    const infos: ServerInfo[] = [];
    for (const name of ['a', 'b']) {
      const port = await freePort();
      const log = createWriteStream(join(runDir, `server-${name}.log`));
      const args = ['--expose-gc', '--require', GARBAGE_COLLECTOR, NEXT_BIN, 'start', '--hostname', '127.0.0.1'];
      const server = spawn(process.execPath, [...args, '--port', String(port)], {
        cwd: ROOT,
        env: serverEnvironment({ port, databaseUrl: relayed.toString(), ...secrets }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      server.stdout?.pipe(log);
      server.stderr?.pipe(log);
      server.on('exit', (code, signal) => {
        writeFileSync(join(runDir, `server-${name}.exit`), `${code ?? ''} ${signal ?? ''}\n`);
      });
      servers.push(server);
      cleanups.unshift(() => stopServer(server));
      if (server.pid === undefined) throw new Error('next start did not start');
      infos.push({ name, url: `http://127.0.0.1:${port}`, port, pid: server.pid });
    }
    await Promise.all(infos.map((info, index) => waitUntilHealthy(info.url, servers[index] as ChildProcess)));
    console.log(`reliability: servers ${infos.map((info) => `${info.name}=${info.url}`).join(', ')}; run ${runDir}`);

    project.provide('reliabilityServers', infos);
    project.provide('reliabilityDatabaseUrl', database.url);
    project.provide('reliabilityAdminUrl', ADMIN_URL);
    project.provide('reliabilityControlUrl', control.url);
    project.provide('reliabilityRunDir', runDir);
    project.provide('reliabilityJwtSecret', secrets.jwtSecret);
    project.provide('reliabilityPolkaKey', secrets.polkaKey);
    project.provide('reliabilityCronSecret', secrets.cronSecret);

    return async () => {
      // The whole suite's output, scanned once more after the last request: nothing may leak.
      const leaks = scanServerOutput(runDir);
      printReport(runDir, { instances: infos.length, faultsInjected: control.faults() });
      for (const cleanup of cleanups) await cleanup();
      if (leaks.length > 0) {
        throw new Error(`server output carries secrets the suite handled (${leaks.length}); logs kept in ${runDir}`);
      }
      if (process.env.RELIABILITY_KEEP_LOGS !== '1') rmSync(runDir, { recursive: true, force: true });
    };
  } catch (error) {
    for (const cleanup of cleanups) await cleanup();
    console.error(`reliability: setup failed; logs in ${runDir}`);
    for (const name of ['a', 'b']) {
      try {
        console.error(readFileSync(join(runDir, `server-${name}.log`), 'utf8').slice(-4000));
      } catch {
        // No log yet.
      }
    }
    throw error;
  }
}
