import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_PORT } from '../../e2e/settings';
import { type ProductionServer, startProductionServer, type Variables } from '../../harness/production-server';

/**
 * A production server of the suite's, from the shared harness (harness/production-server.ts) with
 * the suite's differences: node collects garbage every second (collect-garbage.cjs, so the soak's
 * memory figures show what the server retains), the end-to-end server's port is never taken, the
 * output goes to the run's folder (`server-<name>.log`, which the leak check reads), and a file
 * records its exit. The global setup starts the two every part shares; a part that needs other
 * settings starts one of its own.
 */

export type ServerInfo = { name: string; url: string; port: number; pid: number };

export type StartedServer = { info: ServerInfo; healthy: () => Promise<void>; stop: () => Promise<void> };

const ROOT = process.cwd();
const GARBAGE_COLLECTOR = join(ROOT, 'reliability', 'harness', 'collect-garbage.cjs');

export async function startServer(options: {
  name: string;
  runDir: string;
  env: (port: number) => Variables;
  waitUntilHealthy?: boolean;
}): Promise<StartedServer> {
  const { name, runDir } = options;
  const server: ProductionServer = await startProductionServer({
    cwd: ROOT,
    env: options.env,
    log: join(runDir, `server-${name}.log`),
    nodeArgs: ['--expose-gc', '--require', GARBAGE_COLLECTOR],
    avoidPorts: [E2E_PORT],
    waitUntilHealthy: options.waitUntilHealthy,
    onExit: (code, signal) => writeFileSync(join(runDir, `server-${name}.exit`), `${code ?? ''} ${signal ?? ''}\n`),
  });
  return {
    info: { name, url: server.url, port: server.port, pid: server.pid },
    healthy: server.healthy,
    stop: server.stop,
  };
}
