/**
 * `npm run check:vercel`: builds the app the way Vercel does (`vercel build`, the CLI version
 * pinned below) in a scratch copy of the repository, then fails when any function would carry
 * more than VERCEL_FUNCTION_MAX_MB of files (every megabyte is cold-start time on every instance)
 * or runs on a Node.js major that package.json's engines do not name. No database is needed: the
 * migration step of `vercel-build` is skipped (CHIRPY_SKIP_MIGRATIONS=1).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { copyRepository, createScratch, removeScratch } from '../harness/scratch-copy';

const VERCEL_CLI = 'vercel@60.1.3';
const limitMb = Number(process.env.VERCEL_FUNCTION_MAX_MB ?? '10');

const functionConfig = z.object({
  runtime: z.string().optional(),
  filePathMap: z.record(z.string(), z.string()).optional(),
});

const packageJson = z.object({ engines: z.object({ node: z.string() }) });

/** The repository's files, and node_modules by hard links (no second install). */
function scratchCopy(root: string): string {
  const copy = createScratch('chirpy-vercel-');
  copyRepository(root, copy);
  // What `vercel link` would write; `vercel build` reads only the framework from it.
  mkdirSync(join(copy, '.vercel'));
  writeFileSync(
    join(copy, '.vercel', 'project.json'),
    JSON.stringify({ projectId: 'prj_chirpy_ci', orgId: 'team_chirpy_ci', settings: { framework: 'nextjs' } }),
  );
  return copy;
}

function filesIn(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return [];
    return stat.isDirectory() ? filesIn(path) : [path];
  });
}

function functionConfigs(functionsDir: string): string[] {
  return readdirSync(functionsDir, { recursive: true })
    .map(String)
    .filter((path) => path.endsWith('.vc-config.json'))
    .map((path) => join(functionsDir, path))
    .filter((path) => !lstatSync(dirname(path)).isSymbolicLink());
}

/** A function's size: its own files plus the repository files it names in filePathMap. */
function measure(copy: string, configPath: string): { name: string; bytes: number; runtime: string } {
  const config = functionConfig.parse(JSON.parse(readFileSync(configPath, 'utf8')));
  const mapped = Object.values(config.filePathMap ?? {})
    .map((path) => join(copy, path))
    .filter((path) => existsSync(path) && statSync(path).isFile())
    .reduce((sum, path) => sum + statSync(path).size, 0);
  const own = filesIn(dirname(configPath)).reduce((sum, path) => sum + statSync(path).size, 0);
  const name = dirname(configPath).slice(join(copy, '.vercel/output/functions/').length);
  return { name, bytes: mapped + own, runtime: config.runtime ?? 'unknown' };
}

function main(): void {
  const root = process.cwd();
  const copy = scratchCopy(root);
  try {
    console.log(`Building with ${VERCEL_CLI} in ${copy} …`);
    execFileSync('npx', ['--yes', VERCEL_CLI, 'build', '--yes'], {
      cwd: copy,
      stdio: 'inherit',
      // VERCEL=1 is what the platform's build environment sets.
      env: { ...process.env, VERCEL: '1', CHIRPY_SKIP_MIGRATIONS: '1', NEXT_TELEMETRY_DISABLED: '1' },
    });
    const results = functionConfigs(join(copy, '.vercel/output/functions')).map((path) => measure(copy, path));
    results.sort((a, b) => b.bytes - a.bytes);
    for (const result of results.slice(0, 5)) {
      console.log(`${(result.bytes / 1e6).toFixed(2).padStart(7)} MB  ${result.runtime}  ${result.name}`);
    }
    const tooBig = results.filter((result) => result.bytes > limitMb * 1e6);
    const majors = packageJson.parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))).engines.node;
    const allowed = [...majors.matchAll(/(\d+)\.x/g)].map((match) => `nodejs${match[1]}.x`);
    const wrongRuntime = results.filter((result) => !allowed.includes(result.runtime));
    for (const result of tooBig) console.error(`${result.name}: ${(result.bytes / 1e6).toFixed(1)} MB > ${limitMb} MB`);
    for (const result of wrongRuntime)
      console.error(`${result.name}: runtime ${result.runtime} is not in engines (${majors})`);
    if (results.length === 0) throw new Error('vercel build produced no functions');
    if (tooBig.length > 0 || wrongRuntime.length > 0) process.exit(1);
    console.log(
      `${results.length} distinct function bundles, the largest ${((results[0]?.bytes ?? 0) / 1e6).toFixed(1)} MB: all within ${limitMb} MB.`,
    );
  } finally {
    removeScratch(copy);
  }
}

main();
