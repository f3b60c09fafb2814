import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { buildProduction, type ProductionServer, startProductionServer } from '../harness/production-server';
import { copyRepository, createScratch, removeScratch } from '../harness/scratch-copy';

/**
 * `npm run bench:proxy`: what the proxy costs a signed-in page view.
 *
 * Builds the app twice from the repository's files (once as is, once without proxy.ts), starts both
 * production servers side by side, and loads the home page with a valid access cookie on each in
 * alternating rounds, so that machine noise falls on both alike. Reports requests per second and
 * the ratio with/without the proxy. Nothing here asserts a time: it prints figures.
 */

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROOT = process.cwd();

type Variant = { name: string; dir: string; server?: ProductionServer; cookie?: string };

function copyProject(target: string, withProxy: boolean): void {
  // Tests are not part of the build, and proxy.test.ts would not type-check without proxy.ts.
  copyRepository(ROOT, target, (file) => file.endsWith('.test.ts') || (!withProxy && file === 'proxy.ts'));
}

const serverEnv = {
  CHIRPY_DATA_DIR: 'memory:',
  JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0001',
  MFA_ENCRYPTION_KEY: 'bench-mfa-key-bench-mfa-key-bench-mfa-key-01',
  // Long enough that no access cookie expires during the run: every request is the fast path.
  SESSION_ACCESS_TTL_SECONDS: '3600',
  // The benchmark sends no mail: without this, production would refuse to start for want of SMTP_URL.
  PASSWORD_RESET_ENABLED: 'false',
};

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

function portOf(variant: Variant): number {
  if (!variant.server) throw new Error(`${variant.name}: not started`);
  return variant.server.port;
}

async function loadRound(variant: Variant): Promise<number> {
  const deadline = Date.now() + ROUND_SECONDS * 1000;
  let completed = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const response = await httpRequest(portOf(variant), 'GET', '/', { cookie: variant.cookie ?? '' });
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
  const workspace = createScratch('chirpy-bench-proxy-');
  const variants: Variant[] = [
    { name: 'with proxy', dir: join(workspace, 'with-proxy') },
    { name: 'without proxy', dir: join(workspace, 'without-proxy') },
  ];
  try {
    for (const variant of variants) {
      console.log(`building ${variant.name} in ${variant.dir} …`);
      copyProject(variant.dir, variant.name === 'with proxy');
      buildProduction({ cwd: variant.dir });
    }
    for (const variant of variants) {
      variant.server = await startProductionServer({
        cwd: variant.dir,
        env: () => serverEnv,
        log: join(workspace, `${variant.name.replaceAll(' ', '-')}.log`),
      });
      variant.cookie = await signIn(variant.server.port);
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
    agent.destroy();
    for (const variant of variants) await variant.server?.stop();
    removeScratch(workspace);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
