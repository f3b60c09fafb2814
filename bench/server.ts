import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEnvironment } from '../harness/production-server';
import { addFile, copyRepository, createScratch, removeScratch } from '../harness/scratch-copy';

/**
 * What the bench builds and serves: a scratch copy of the repository plus the bench-only routes
 * and page. The shipped app never contains those routes. Building, starting and stopping it are
 * the shared harness's (harness/production-server.ts).
 */

const BENCH_ROUTES: ReadonlyArray<{ source: string; target: string }> = [
  { source: 'bench/routes/floor.ts', target: 'app/bench-floor.txt/route.ts' },
  { source: 'bench/routes/sql.ts', target: 'app/bench-sql.txt/route.ts' },
  { source: 'bench/routes/page-floor.tsx', target: 'app/bench-page/page.tsx' },
];

export const PAGE_FLOOR_PATH = '/bench-page';

export const FLOOR_PATH = '/bench-floor.txt';

/** The run's scratch folder: the copy to build (`app`), the server's log, the embedded database if any. */
export type Workspace = { dir: string; app: string; log: string };

export function createWorkspace(): Workspace {
  const dir = createScratch('chirpy-bench-');
  return { dir, app: join(dir, 'app'), log: join(dir, 'server.log') };
}

export function removeWorkspace(workspace: Workspace): void {
  removeScratch(workspace.dir);
}

/** Copies the repository (without bench/: the harness is not part of the app) and adds the bench routes. */
export function prepareBuild(root: string, workspace: Workspace): void {
  copyRepository(root, workspace.app, (file) => file.startsWith('bench/'));
  for (const route of BENCH_ROUTES) addFile(join(root, route.source), join(workspace.app, route.target));
}

/** The schema, applied by the project's own migration command, as a deployment does. */
export function migrate(workspace: Workspace, databaseUrl: string): void {
  execFileSync('npm', ['run', '--silent', 'db:migrate'], {
    cwd: workspace.app,
    env: { ...buildEnvironment(), DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 120_000,
  });
}

export function serverLogLines(workspace: Workspace): string[] {
  if (!existsSync(workspace.log)) return [];
  return readFileSync(workspace.log, 'utf8').split('\n');
}
