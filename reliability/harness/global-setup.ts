import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildProduction } from '../../harness/production-server';
import { openNodePostgres } from '../../lib/db/node-postgres';
import { createFreshDatabase, dropDatabase } from '../../test/databases';
import { startTcpRelay, type TcpRelay } from '../../test/tcp-relay';
import { printReport } from './report';
import { scanServerOutput } from './secrets';
import { type ServerInfo, type StartedServer, startServer } from './servers';
import { serverEnvironment } from './settings';

export type { ServerInfo } from './servers';

declare module 'vitest' {
  export interface ProvidedContext {
    reliabilityServers: ServerInfo[];
    reliabilityDatabaseUrl: string;
    /** The database through the suite's relay, which the control URL stalls, cuts and restores. */
    reliabilityRelayedDatabaseUrl: string;
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
function build(): void {
  const reuse = process.env.RELIABILITY_SKIP_BUILD === '1';
  console.log(
    reuse
      ? 'reliability: reusing the existing production build (RELIABILITY_SKIP_BUILD=1)'
      : 'reliability: next build …',
  );
  buildProduction({ cwd: ROOT, reuse, showOutput: true });
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
  const started: StartedServer[] = [];
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
      const server = await startServer({
        name,
        runDir,
        env: (port) => serverEnvironment({ port, databaseUrl: relayed.toString(), ...secrets }),
        waitUntilHealthy: false,
      });
      cleanups.unshift(server.stop);
      infos.push(server.info);
      started.push(server);
    }
    await Promise.all(started.map((server) => server.healthy()));
    console.log(`reliability: servers ${infos.map((info) => `${info.name}=${info.url}`).join(', ')}; run ${runDir}`);

    project.provide('reliabilityServers', infos);
    project.provide('reliabilityDatabaseUrl', database.url);
    project.provide('reliabilityRelayedDatabaseUrl', relayed.toString());
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
