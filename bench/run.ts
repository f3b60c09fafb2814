import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  createFreshDatabase,
  createFreshDataDir,
  databaseEnvironment,
  type FreshDatabase,
  removeFreshDatabase,
} from '../harness/fresh-database';
import { send } from '../harness/http';
import {
  buildProduction,
  type ProductionServer,
  startProductionServer,
  tail,
  type Variables,
} from '../harness/production-server';
import { sessionCookieNames } from '../lib/auth/cookies';
import { BUDGETS, perScenario, type ScenarioName } from './budgets';
import { measure } from './load';
import {
  budgetTable,
  type DatabaseKind,
  describeDatabaseKind,
  describeMachine,
  loadAverage,
  missedBudgets,
  type PhaseDetail,
  type Reference,
  type ResultsFile,
  referenceTable,
  renderMarkdown,
  toResults,
} from './report';
import {
  type BenchContext,
  BIG_TABLE_SCENARIOS,
  createBearerPool,
  floor,
  healthz,
  logins,
  pageFloor,
  type RunHint,
  type Scenario,
  SMALL_TABLE_SCENARIOS,
} from './scenarios';
import {
  anyChirpId,
  anyUserId,
  BIG_ROWS,
  countChirps,
  countTokens,
  fillTokensTo,
  growTables,
  SMALL_ROWS,
  seedBase,
} from './seed';
import {
  createWorkspace,
  FLOOR_PATH,
  migrate,
  prepareBuild,
  removeWorkspace,
  serverLogLines,
  type Workspace,
} from './server';
import { BenchSql } from './sql';
import { floorRatio, isValid, type Measurement, type Round, type Summary, scalingFigure, summarise } from './stats';

/**
 * `npm run bench [-- --quick] [--rounds n] [--seconds s] [--connections c]`
 *
 * 1. Builds the production app plus the bench-only floor and SQL routes in a scratch copy.
 * 2. Starts it on a fresh database of its own: DATABASE_URL's server, or the embedded one.
 * 3. Seeds users, 1,000 chirps and ~1,000 refresh tokens; runs every scenario, each between two
 *    floor runs, for several rounds (phase A).
 * 4. Logins flat out, and the healthz probe idle and alongside them (phase L).
 * 5. Grows chirps and refresh_tokens to 1,000,000 rows and runs the row-count scenarios again (phase B).
 * 6. Writes bench/results.json and bench/RESULTS.md, prints which budgets were missed.
 *
 * It is a measurement, not a test: a completed run exits 0 whatever it found. Only a harness
 * failure (build, start, seeding) exits non-zero.
 */

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

const SETTLE_MAX_MS = 5_000;
const RUNS_PER_ROUND = 30;
const LOGIN_PHASE_MIN_SECONDS = 4;
const WARM_UP_CONNECTIONS = 4;
// Sizes the warm-up's pool of never-used cookies: more than 4 connections can use in its seconds.
const WARM_UP_ROTATION_RPS = 1_000;

type Settings = {
  quick: boolean;
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  loginConnections: number;
  probeConnections: number;
  timeoutSeconds: number;
  maxMinutes: number;
};

const USAGE = 'usage: npm run bench [-- --quick] [--rounds 1-20] [--seconds 1-120] [--connections 1-256]';

function parseSettings(argv: readonly string[]): Settings {
  const quick = argv.includes('--quick');
  const value = (flag: string, fallback: number, min: number, max: number): number => {
    const index = argv.indexOf(flag);
    if (index === -1) return fallback;
    const parsed = Number(argv[index + 1]);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) throw new Error(`${flag}: ${min}–${max}. ${USAGE}`);
    return parsed;
  };
  const known = new Set(['--quick', '--rounds', '--seconds', '--connections']);
  const unknown = argv.filter((arg) => arg.startsWith('--') && !known.has(arg));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')}. ${USAGE}`);
  const rounds = Math.round(value('--rounds', quick ? 1 : 3, 1, 20));
  const seconds = value('--seconds', quick ? 2 : 8, 1, 120);
  return {
    quick,
    rounds,
    seconds,
    warmupSeconds: quick ? 1 : 3,
    connections: Math.round(value('--connections', 32, 1, 256)),
    // Logins as the platform notes measured them (16 connections); a probe that does not saturate alone.
    loginConnections: 16,
    probeConnections: 8,
    timeoutSeconds: 10,
    // A hard stop for the whole run: twice its ~30 runs per round, plus building and seeding.
    maxMinutes: 15 + (2 * rounds * RUNS_PER_ROUND * (seconds + 3)) / 60,
  };
}

type Cleanup = () => Promise<void> | void;

class Bench {
  private readonly deadline: number;

  constructor(
    readonly settings: Settings,
    readonly context: BenchContext,
    private readonly server: ProductionServer,
    private readonly workspace: Workspace,
    startedAt: number,
  ) {
    this.deadline = startedAt + settings.maxMinutes * 60_000;
  }

  /** One scenario run: fresh credentials, the load, then the scenario's own checks. */
  async run(scenario: Scenario, hint: RunHint, connections: number, seconds: number): Promise<Measurement> {
    if (this.server.process.exitCode !== null) {
      throw new Error(
        `the server exited (code ${this.server.process.exitCode}); its log ends:\n${tail(this.workspace.log, 40)}`,
      );
    }
    if (Date.now() > this.deadline) {
      throw new Error(`the run passed its limit of ${this.settings.maxMinutes.toFixed(0)} minutes`);
    }
    const prepared = await scenario.prepare(this.context, hint);
    const measurement = await measure(prepared.target, {
      port: this.server.port,
      seconds,
      connections,
      timeoutSeconds: this.settings.timeoutSeconds,
    });
    if (prepared.check) {
      const checked = await prepared.check(measurement);
      measurement.problems.push(...checked.problems);
      measurement.notes.push(...checked.notes);
    }
    // The server goes on with the requests that were in flight when the load stopped (a login's
    // bcrypt, a page), one per connection: let it finish them, or the next run starts on a busy server.
    const drainMs = measurement.rps > 0 ? (connections / measurement.rps) * 1000 : SETTLE_MAX_MS;
    await sleep(Math.min(drainMs, SETTLE_MAX_MS) + 100);
    return measurement;
  }

  runFor(scenario: Scenario, floorRps: number): Promise<Measurement> {
    return this.run(
      scenario,
      { floorRps, seconds: this.settings.seconds },
      this.settings.connections,
      this.settings.seconds,
    );
  }
}

function progress(line: string): void {
  console.log(line);
}

function describeRun(tag: string, label: string, measurement: Measurement, figure?: string): string {
  const head = `${tag.padEnd(9)} ${label.padEnd(32)}`;
  const numbers =
    `${measurement.rps.toFixed(measurement.rps < 100 ? 1 : 0).padStart(7)} req/s  ` +
    `p50 ${measurement.p50Ms.toFixed(1).padStart(7)} ms  p99 ${measurement.p99Ms.toFixed(1).padStart(7)} ms  ` +
    `${(measurement.bytesPerAnswer / 1024).toFixed(1).padStart(6)} KiB`;
  const verdict = isValid(measurement) ? (figure ?? '') : `INVALID: ${measurement.problems.join('; ')}`;
  const notes = measurement.notes.length > 0 ? `  [${measurement.notes.join('; ')}]` : '';
  return `${head} ${numbers}  ${verdict}${notes}`;
}

type PhaseResult = { rounds: Map<string, Round[]>; detail: PhaseDetail };

/**
 * Rounds of scenarios, each run between two floor runs: its ratio is to the mean of the two.
 * Odd rounds go through the list backwards, so no scenario always follows the same neighbour.
 */
async function runPhase(
  bench: Bench,
  tag: string,
  title: string,
  scenarios: readonly Scenario[],
): Promise<PhaseResult> {
  const rounds = new Map<string, Round[]>(scenarios.map((scenario) => [scenario.name, []]));
  const detail: PhaseDetail = { title, rounds: [] };
  const total = bench.settings.rounds;
  for (let index = 0; index < total; index++) {
    const label = `${tag} ${index + 1}/${total}`;
    const order = index % 2 === 0 ? scenarios : [...scenarios].reverse();
    const runs: PhaseDetail['rounds'][number] = [];
    let before = await bench.runFor(floor, 0);
    progress(describeRun(label, floor.label, before));
    runs.push({ label: floor.label, rps: before.rps, p99Ms: before.p99Ms, figure: null, problems: before.problems });
    for (const scenario of order) {
      const measurement = await bench.runFor(scenario, before.rps);
      const after = await bench.runFor(floor, 0);
      const figure = floorRatio(measurement, before, after);
      if (isValid(measurement) && figure === null) measurement.problems.push('no valid floor run around it');
      rounds.get(scenario.name)?.push({ measurement, figure });
      progress(describeRun(label, scenario.label, measurement, figure === null ? '' : `× floor ${figure.toFixed(2)}`));
      progress(describeRun(label, floor.label, after));
      runs.push({
        label: scenario.label,
        rps: measurement.rps,
        p99Ms: measurement.p99Ms,
        figure,
        problems: measurement.problems,
      });
      runs.push({ label: floor.label, rps: after.rps, p99Ms: after.p99Ms, figure: null, problems: after.problems });
      before = after;
    }
    detail.rounds.push(runs);
  }
  return { rounds, detail };
}

type LoginPhase = { logins: Round[]; probe: Round[]; detail: PhaseDetail };

/**
 * Logins flat out; the healthz probe idle, and alongside the logins. Logins per second come from
 * the run without the probe; the probe's p99 alongside them is compared with its p99 idle.
 */
async function runLoginPhase(bench: Bench): Promise<LoginPhase> {
  const { settings } = bench;
  const result: LoginPhase = { logins: [], probe: [], detail: { title: 'Logins and the healthz probe', rounds: [] } };
  // A login takes a second or more at 16 connections, and answers still in flight when a run
  // stops are not counted: runs much shorter than that would hide exactly the slow answers.
  const seconds = Math.max(settings.seconds, LOGIN_PHASE_MIN_SECONDS);
  const hint = { floorRps: 0, seconds };
  const probe = (): Promise<Measurement> => bench.run(healthz, hint, settings.probeConnections, seconds);
  const flatOut = (): Promise<Measurement> => bench.run(logins, hint, settings.loginConnections, seconds);
  for (let index = 0; index < settings.rounds; index++) {
    const tag = `L ${index + 1}/${settings.rounds}`;
    const steps = ['idle', 'logins', 'both'] as const;
    const runs: Partial<Record<'idle' | 'logins' | 'probeLoaded' | 'loginsProbed', Measurement>> = {};
    for (const step of index % 2 === 0 ? steps : [...steps].reverse()) {
      if (step === 'idle') {
        runs.idle = await probe();
        progress(describeRun(tag, 'healthz probe, idle', runs.idle));
      } else if (step === 'logins') {
        runs.logins = await flatOut();
        progress(describeRun(tag, 'logins flat out', runs.logins, `${runs.logins.rps.toFixed(1)} logins/s`));
      } else {
        const [loginsProbed, probeLoaded] = await Promise.all([flatOut(), probe()]);
        runs.loginsProbed = loginsProbed;
        runs.probeLoaded = probeLoaded;
        progress(describeRun(tag, 'logins, with the probe', loginsProbed));
        progress(describeRun(tag, 'healthz probe, during logins', probeLoaded));
      }
    }
    const { idle, logins: alone, probeLoaded, loginsProbed } = runs;
    if (!idle || !alone || !probeLoaded || !loginsProbed) throw new Error('a login round skipped a step');
    result.logins.push({ measurement: alone, figure: isValid(alone) ? alone.rps : null });
    const loaded: Measurement = {
      ...probeLoaded,
      problems: [
        ...probeLoaded.problems,
        ...idle.problems.map((problem) => `idle probe: ${problem}`),
        ...loginsProbed.problems.map((problem) => `logins alongside: ${problem}`),
      ],
    };
    const figure = isValid(loaded) && idle.p99Ms > 0 ? loaded.p99Ms / idle.p99Ms : null;
    result.probe.push({ measurement: loaded, figure });
    progress(
      `${tag.padEnd(9)} healthz p99 during logins ÷ idle: ${figure === null ? 'INVALID' : `${figure.toFixed(2)}×`}`,
    );
    result.detail.rounds.push([
      {
        label: 'logins flat out (logins/s)',
        rps: alone.rps,
        p99Ms: alone.p99Ms,
        figure: null,
        problems: alone.problems,
      },
      {
        label: 'healthz probe idle',
        rps: idle.rps,
        p99Ms: idle.p99Ms,
        figure: null,
        problems: idle.problems,
        shows: 'p99',
      },
      {
        label: 'healthz probe during logins (÷ idle p99)',
        rps: probeLoaded.rps,
        p99Ms: probeLoaded.p99Ms,
        figure,
        problems: loaded.problems,
        shows: 'p99',
      },
      {
        label: 'logins alongside the probe (logins/s)',
        rps: loginsProbed.rps,
        p99Ms: loginsProbed.p99Ms,
        figure: null,
        problems: loginsProbed.problems,
      },
    ]);
  }
  return result;
}

function summariseAll(small: PhaseResult, big: PhaseResult, login: LoginPhase): Record<ScenarioName, Summary> {
  const roundsOf = (phase: PhaseResult, name: string): Round[] => phase.rounds.get(name) ?? [];
  const scaling = (budget: (typeof BUDGETS)[number], name: string): Summary => {
    const baseline = roundsOf(small, name);
    const grown = roundsOf(big, name);
    return summarise(budget, grown, { figure: scalingFigure(baseline, grown), baseline });
  };
  return perScenario((budget) => {
    switch (budget.name) {
      case 'chirps_page_1m_vs_1k':
        return scaling(budget, 'chirps_page');
      case 'refresh_1m_vs_1k':
        return scaling(budget, 'refresh_bearer');
      case 'rotation_1m_vs_1k':
        return scaling(budget, 'cookie_rotation');
      case 'logins_per_second':
        return summarise(budget, login.logins);
      case 'healthz_p99_under_logins':
        return summarise(budget, login.probe);
      case 'home_signed_in':
      case 'home_own_chirps': {
        const cheapest = roundsOf(small, pageFloor.name);
        const page = roundsOf(small, budget.name);
        return summarise(budget, page, {
          figure: scalingFigure(cheapest, page),
          baseline: cheapest,
          baselineLabel: 'the cheapest page, ',
        });
      }
      default:
        return summarise(budget, roundsOf(small, budget.name));
    }
  });
}

/** The server's settings: this run's secrets and database, every rate limit out of the way. */
function serverEnv(benchSecret: string, database: FreshDatabase): Variables {
  const raised = '1000000';
  return {
    // Beside the shell's essentials the harness passes on, so a run can be given node flags.
    ...(process.env.NODE_OPTIONS === undefined ? {} : { NODE_OPTIONS: process.env.NODE_OPTIONS }),
    JWT_SECRET: randomBytes(32).toString('hex'),
    MFA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    CHIRPY_BENCH_SECRET: benchSecret,
    BCRYPT_COST: '10',
    TRUST_PROXY: 'none',
    // No scenario sends mail; a production server with resets on would need SMTP_URL and APP_URL.
    PASSWORD_RESET_ENABLED: 'false',
    // No scenario measures a limit being reached; every limit is still counted on every request.
    RATE_LIMIT_LOGIN_IP_MAX: raised,
    RATE_LIMIT_LOGIN_ACCOUNT_MAX: raised,
    RATE_LIMIT_SIGNUP_IP_MAX: raised,
    RATE_LIMIT_REFRESH_MAX: raised,
    RATE_LIMIT_ROTATION_MAX: raised,
    ...databaseEnvironment(database),
  };
}

/** The floor must be the framework and the driver alone: a proxy in front would renew this junk cookie. */
async function checkFloor(context: BenchContext): Promise<void> {
  const names = sessionCookieNames(false);
  const answer = await send(context.port, 'GET', `${FLOOR_PATH}?id=${context.floorUserId}`, {
    headers: { cookie: `${names.access}=junk; ${names.refresh}=${'0'.repeat(64)}` },
  });
  if (answer.status !== 200 || !answer.text.includes(context.floorUserId)) {
    throw new Error(`the floor route answered ${answer.status}: ${answer.text.slice(0, 200)}`);
  }
  if (answer.headers.getSetCookie().length > 0) {
    throw new Error(
      `${FLOOR_PATH} runs behind proxy.ts: its matcher must leave a plain GET of the floor out (it skips one of *.txt)`,
    );
  }
}

function pgliteVersion(): string {
  const manifest = z.object({ version: z.string() });
  const path = join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json');
  return manifest.parse(JSON.parse(readFileSync(path, 'utf8'))).version;
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const startedAt = Date.now();
  const loadBefore = loadAverage();
  const machine = describeMachine();
  const cleanups: Cleanup[] = [];
  const cleanUp = async () => {
    for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) {
      try {
        await cleanup();
      } catch (error) {
        console.error('clean-up step failed:', error);
      }
    }
  };
  const interrupted = () => {
    console.error('\ninterrupted: stopping the server and removing the scratch copy …');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const workspace = createWorkspace();
  cleanups.push(() => removeWorkspace(workspace));
  try {
    const adminUrl = process.env.DATABASE_URL?.trim() || undefined;
    const databaseKind: DatabaseKind = adminUrl ? 'postgresql' : 'embedded';
    progress(plainText(describeDatabaseKind(databaseKind)));
    progress(`${settings.quick ? 'Quick' : 'Full'} run on ${machine.summary}; load ${loadBefore}`);
    progress(`Building the app and the bench routes in ${workspace.dir} …`);
    let phaseStarted = Date.now();
    prepareBuild(ROOT, workspace);
    buildProduction({ cwd: workspace.app });
    progress(`  built in ${((Date.now() - phaseStarted) / 1000).toFixed(0)} s`);

    const database = adminUrl ? await createFreshDatabase(adminUrl, 'bench') : createFreshDataDir(workspace.dir);
    cleanups.push(() => removeFreshDatabase(database));
    if (database.kind === 'postgresql') {
      migrate(workspace, database.url);
      progress(`Database ${database.name} created and migrated`);
    }

    const benchSecret = randomBytes(32).toString('hex');
    const server = await startProductionServer({
      cwd: workspace.app,
      log: workspace.log,
      env: () => serverEnv(benchSecret, database),
    });
    cleanups.push(() => server.stop());
    const { port } = server;
    const sql = new BenchSql(port, benchSecret);
    const serverVersion = await sql.text("SELECT current_setting('server_version')");
    const databaseName = adminUrl
      ? `PostgreSQL ${serverVersion}, local server (DATABASE_URL, pg driver), a fresh database for the run`
      : `embedded PGlite ${pgliteVersion()} (PostgreSQL ${serverVersion}; DATABASE_URL unset)`;
    progress(`Server on 127.0.0.1:${port}; database: ${databaseName}`);

    phaseStarted = Date.now();
    await seedBase(sql);
    const bearerPool = await createBearerPool(sql, 256);
    await fillTokensTo(sql, SMALL_ROWS);
    const context: BenchContext = {
      port,
      sql,
      floorUserId: await anyUserId(sql),
      chirpId: await anyChirpId(sql),
      bearerPool,
    };
    await checkFloor(context);
    progress(
      `Seeded ${await countChirps(sql)} chirps and ${await countTokens(sql)} refresh tokens in ` +
        `${((Date.now() - phaseStarted) / 1000).toFixed(1)} s`,
    );

    const bench = new Bench(settings, context, server, workspace, startedAt);
    progress(`Warming up (${settings.warmupSeconds} s each) …`);
    // Few connections: the point is compiled code and open connections, and a slow path (a page,
    // a login) must still answer within the warm-up rather than leave a backlog for the first run.
    for (const scenario of [floor, ...SMALL_TABLE_SCENARIOS, logins]) {
      const warm = await bench.run(
        scenario,
        { floorRps: WARM_UP_ROTATION_RPS, seconds: settings.warmupSeconds },
        WARM_UP_CONNECTIONS,
        settings.warmupSeconds,
      );
      // Shown, not counted: a wrong answer is worth knowing early.
      if (!isValid(warm)) progress(describeRun('warm-up', scenario.label, warm));
    }

    const small = await runPhase(
      bench,
      'A',
      'Phase A: 1,000 chirps, ~1,000 refresh tokens (req/s, × floor)',
      SMALL_TABLE_SCENARIOS,
    );
    const login = await runLoginPhase(bench);

    progress(`Growing chirps and refresh_tokens to ${BIG_ROWS.toLocaleString('en')} rows …`);
    phaseStarted = Date.now();
    await growTables(sql, progress);
    progress(
      `  ${await countChirps(sql)} chirps, ${await countTokens(sql)} refresh tokens in ` +
        `${((Date.now() - phaseStarted) / 1000).toFixed(0)} s`,
    );
    const big = await runPhase(
      bench,
      'B',
      'Phase B: 1,000,000 chirps and refresh tokens (req/s, × floor)',
      BIG_TABLE_SCENARIOS,
    );

    const summaries = summariseAll(small, big, login);
    const references: Reference[] = [
      {
        label: 'the cheapest signed-in page',
        explanation:
          'bench-only: the layout and its header, one paragraph, through the proxy (bench/routes/page-floor.tsx). No page of the app can do better; the home pages are measured against it.',
        // The comparison is only a shape here: a reference has no budget to meet.
        summary: summarise({ budget: 0, comparison: 'at_least' }, small.rounds.get(pageFloor.name) ?? []),
      },
    ];
    const loadAfter = loadAverage();
    const results: ResultsFile = {
      machine: machine.summary,
      when: new Date(startedAt).toISOString(),
      database: databaseName,
      rounds: settings.rounds,
      scenarios: toResults(summaries),
    };
    const logLines = serverLogLines(workspace);
    const complaints = logLines.filter((line) => /error|fault|unavailable|warn|revoked/i.test(line));
    const notes = [
      "The floor is a route handler doing one primary-key SELECT through the app's driver, outside the proxy, built into the bench's copy only.",
      `Scenarios at ${settings.connections} connections; logins at ${settings.loginConnections}, the healthz probe at ${settings.probeConnections}.`,
      `Server log: ${logLines.filter((line) => line.trim() !== '').length} lines, ${complaints.length} mentioning errors, faults or warnings.`,
      ...complaints.slice(0, 5).map((line) => `Server log: \`${line.trim().slice(0, 200)}\``),
    ];
    const settingsLine =
      `${settings.quick ? 'quick' : 'full'}: ${settings.rounds} round(s) × ${settings.seconds} s per run, ` +
      `${settings.connections} connections, autocannon ${autocannonVersion()}; total ${((Date.now() - startedAt) / 60_000).toFixed(1)} min`;
    const resultsPath = join(ROOT, 'bench', 'results.json');
    const markdownPath = join(ROOT, 'bench', 'RESULTS.md');
    writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(
      markdownPath,
      // History of past runs lives in the same file and is kept across runs: only the run above it is new.
      renderMarkdown({
        results,
        databaseKind,
        machine,
        settings: settingsLine,
        loadBefore,
        loadAfter,
        summaries,
        references,
        notes,
        phases: [small.detail, login.detail, big.detail],
      }) + keptHistory(markdownPath),
    );
    formatAsTheLinterWants([resultsPath, markdownPath]);

    progress('');
    progress(plainText(describeDatabaseKind(databaseKind)));
    progress(`Database: ${databaseName}`);
    progress('');
    for (const line of budgetTable(summaries)) progress(line);
    progress('');
    for (const line of referenceTable(references)) progress(line);
    progress('');
    const missed = missedBudgets(summaries);
    if (missed.length === 0) progress('Every budget was met.');
    else {
      progress(`MISSED ${missed.length} of ${BUDGETS.length} budgets:`);
      for (const line of missed) progress(`  - ${line}`);
    }
    for (const note of notes.slice(2)) progress(note);
    progress(`Wrote bench/results.json and bench/RESULTS.md (${settingsLine}).`);
  } catch (error) {
    const log = tail(workspace.log, 30);
    if (log.trim() !== '') console.error(`The server's log ends:\n${log}`);
    throw error;
  } finally {
    await cleanUp();
  }
}

/** Markdown's bold, dropped for the console. */
function plainText(markdown: string): string {
  return markdown.replaceAll('**', '');
}

/** The reports are committed, so `npm run lint` must find them as its formatter writes them (tables aligned). */
function formatAsTheLinterWants(paths: string[]): void {
  const biome = join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
  try {
    execFileSync(process.execPath, [biome, 'format', '--write', ...paths], {
      cwd: ROOT,
      stdio: 'ignore',
      timeout: 60_000,
    });
  } catch {
    progress('Could not format the reports with Biome: run `npm run format` before committing them.');
  }
}

/** The error and its causes, one per line. */
function explain(error: unknown): string {
  const lines: string[] = [];
  for (let current: unknown = error; current !== undefined && current !== null && lines.length < 5; ) {
    lines.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n  caused by: ');
}

function autocannonVersion(): string {
  const manifest = z.object({ version: z.string() });
  return manifest.parse(JSON.parse(readFileSync(join(ROOT, 'node_modules', 'autocannon', 'package.json'), 'utf8')))
    .version;
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(`\nThe benchmark could not complete: ${explain(error)}`);
    await sleep(100);
    process.exit(1);
  },
);

/** The file's "## History" section and all after it, or nothing if the file or the section is missing. */
function keptHistory(markdownPath: string): string {
  let previous: string;
  try {
    previous = readFileSync(markdownPath, 'utf8');
  } catch {
    return '';
  }
  const start = previous.indexOf('\n## History\n');
  return start === -1 ? '' : `\n${previous.slice(start + 1)}`;
}
