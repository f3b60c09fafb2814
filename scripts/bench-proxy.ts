import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * `npm run bench:proxy`: what the proxy costs a signed-in page view.
 *
 * Builds the app twice from the committed files (once as is, once without proxy.ts), starts both
 * production servers side by side, and loads the home page with a valid access cookie on each in
 * alternating rounds, so that machine noise falls on both alike. Reports requests per second and
 * the ratio with/without the proxy. Nothing here asserts a time: it prints figures.
 */

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROOT = process.cwd();

type Variant = { name: string; dir: string; port: number; server?: ChildProcess; cookie?: string };

function copyProject(target: string, withProxy: boolean): void {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    // Tests are not part of the build, and proxy.test.ts would not type-check without proxy.ts.
    if (file.endsWith('.test.ts') || (!withProxy && file === 'proxy.ts')) continue;
    cpSync(join(ROOT, file), join(target, file), { recursive: true });
  }
  // Turbopack refuses a symlinked node_modules; hard links are instant and take no space.
  try {
    execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(target, 'node_modules')]);
  } catch {
    cpSync(join(ROOT, 'node_modules'), join(target, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  }
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  execFileSync(command, args, { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] });
}

const serverEnv = (port: number): NodeJS.ProcessEnv => ({
  ...process.env,
  NODE_ENV: 'production',
  PORT: String(port),
  CHIRPY_DATA_DIR: 'memory:',
  JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0001',
  // Long enough that no access cookie expires during the run: every request is the fast path.
  SESSION_ACCESS_TTL_SECONDS: '3600',
  // The benchmark sends no mail: without this, production would refuse to start for want of SMTP_URL.
  PASSWORD_RESET_ENABLED: 'false',
  NEXT_TELEMETRY_DISABLED: '1',
});

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });

function httpRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function waitUntilHealthy(port: number): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      if ((await httpRequest(port, 'GET', '/api/healthz', {})).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  throw new Error(`server on port ${port} did not become healthy`);
}

async function signIn(port: number): Promise<string> {
  const credentials = JSON.stringify({ email: `bench-${port}@example.com`, password: 'bench-password-1' });
  const json = { 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` };
  await httpRequest(port, 'POST', '/api/users', json, credentials);
  const login = await httpRequest(port, 'POST', '/api/login', { ...json, 'x-chirpy-session': 'cookie' }, credentials);
  const setCookie = login.headers['set-cookie'];
  const headers = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const cookie = headers.map((header) => header.split(';')[0]).join('; ');
  const home = await httpRequest(port, 'GET', '/', { cookie });
  if (home.status !== 200 || !home.body.includes(`bench-${port}@example.com`)) {
    throw new Error(`port ${port}: not signed in (status ${home.status})`);
  }
  return cookie;
}

async function loadRound(variant: Variant): Promise<number> {
  const deadline = Date.now() + ROUND_SECONDS * 1000;
  let completed = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const response = await httpRequest(variant.port, 'GET', '/', { cookie: variant.cookie ?? '' });
      if (response.status !== 200) throw new Error(`${variant.name}: GET / answered ${response.status}`);
      completed += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return completed / ROUND_SECONDS;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

async function main(): Promise<void> {
  const workspace = mkdtempSync(join(tmpdir(), 'chirpy-bench-'));
  const variants: Variant[] = [
    { name: 'with proxy', dir: join(workspace, 'with-proxy'), port: 3201 },
    { name: 'without proxy', dir: join(workspace, 'without-proxy'), port: 3202 },
  ];
  try {
    for (const variant of variants) {
      console.log(`building ${variant.name} in ${variant.dir} …`);
      copyProject(variant.dir, variant.name === 'with proxy');
      run('npx', ['next', 'build'], variant.dir, { ...process.env, NEXT_TELEMETRY_DISABLED: '1' });
    }
    for (const variant of variants) {
      variant.server = spawn('npx', ['next', 'start'], {
        cwd: variant.dir,
        env: serverEnv(variant.port),
        stdio: 'ignore',
      });
    }
    for (const variant of variants) {
      await waitUntilHealthy(variant.port);
      variant.cookie = await signIn(variant.port);
      await loadRound(variant); // warm-up, not counted
    }
    const results = new Map<string, number[]>(variants.map((variant) => [variant.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so neither always runs on a machine the other just heated.
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) results.get(variant.name)?.push(await loadRound(variant));
    }
    const withProxy = median(results.get('with proxy') ?? []);
    const withoutProxy = median(results.get('without proxy') ?? []);
    for (const [name, values] of results) {
      console.log(
        `${name.padEnd(14)} req/s per round: ${values.map((v) => v.toFixed(0)).join(', ')}; median ${median(values).toFixed(0)}`,
      );
    }
    console.log(
      `GET / signed in, valid access cookie, ${CONCURRENCY} concurrent, ${ROUNDS}×${ROUND_SECONDS}s rounds each: ` +
        `with/without proxy = ${(withProxy / withoutProxy).toFixed(2)}`,
    );
  } finally {
    for (const variant of variants) variant.server?.kill('SIGTERM');
    agent.destroy();
    await sleep(500);
    rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
