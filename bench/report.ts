import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { BUDGETS, describeBudget, perScenario, type ScenarioName } from './budgets';
import { round, type ScenarioResult, type Summary } from './stats';

/**
 * bench/results.json (the issue's shape, exactly) and bench/RESULTS.md (the same as a table,
 * with the machine, the settings and each round's figures).
 */

export type Machine = { summary: string; cores: number; cpu: string; memoryGiB: number; node: string; os: string };

export function describeMachine(): Machine {
  const cores = cpus().length;
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const memoryGiB = Math.round((totalmem() / 2 ** 30) * 10) / 10;
  const os = `${type()} ${release()}`;
  return {
    summary: `${cores} cores (${cpu}), ${memoryGiB} GiB, ${os}, Node.js ${process.version}`,
    cores,
    cpu,
    memoryGiB,
    node: process.version,
    os,
  };
}

export const loadAverage = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ');

/** Which database a run measured: the budgets hold for PostgreSQL only. */
export type DatabaseKind = 'postgresql' | 'embedded';

/**
 * What the report says first: which database was measured and what that means for the budgets.
 * The embedded PGlite runs inside the server's process, one statement at a time, so a run on it
 * measures a convenience, not the app.
 */
export function describeDatabaseKind(kind: DatabaseKind): string {
  return kind === 'postgresql'
    ? 'Measured on **PostgreSQL** (DATABASE_URL): the database the budgets are set for.'
    : 'Measured on the **embedded PGlite** (DATABASE_URL unset): a zero-set-up development database, ' +
        'not a performance target. The budgets hold for PostgreSQL; figures and misses here say ' +
        'little about them (run with DATABASE_URL for those).';
}

export type ResultsFile = {
  machine: string;
  when: string;
  database: string;
  rounds: number;
  scenarios: Record<ScenarioName, ScenarioResult>;
};

/** The figures as results.json holds them: throughput whole, latencies to 0.1 ms, ratios to 0.001. */
export function toResults(summaries: Record<ScenarioName, Summary>): Record<ScenarioName, ScenarioResult> {
  return perScenario((budget) => {
    const summary = summaries[budget.name];
    return {
      rps: round(summary.rps, budget.name === 'logins_per_second' ? 1 : 0),
      p50_ms: round(summary.p50_ms, 1),
      p99_ms: round(summary.p99_ms, 1),
      ratio: round(summary.ratio, budget.name === 'logins_per_second' ? 1 : 3),
      budget: summary.budget,
      met: summary.met,
    };
  });
}

const show = (value: number | null, decimals: number): string => (value === null ? '–' : value.toFixed(decimals));

/** The budgets table, as the console and RESULTS.md show it. */
export function budgetTable(summaries: Record<ScenarioName, Summary>): string[] {
  const lines = ['| scenario | req/s | p50 ms | p99 ms | measured | budget | met |', '|---|--:|--:|--:|--:|---|---|'];
  for (const budget of BUDGETS) {
    const summary = summaries[budget.name];
    const verdict = summary.met
      ? 'yes'
      : summary.invalidRounds > 0
        ? `**no** (${summary.invalidRounds} invalid)`
        : summary.ratio === null
          ? '**no** (no figure)'
          : '**no**';
    const decimals = budget.name === 'logins_per_second' ? 1 : 2;
    lines.push(
      `| ${budget.label} | ${show(summary.rps, budget.name === 'logins_per_second' ? 1 : 0)} | ${show(summary.p50_ms, 1)} | ` +
        `${show(summary.p99_ms, 1)} | ${show(summary.ratio, decimals)} ${budget.figure} | ${describeBudget(budget)} | ${verdict} |`,
    );
  }
  return lines;
}

export function missedBudgets(summaries: Record<ScenarioName, Summary>): string[] {
  return BUDGETS.filter((budget) => !summaries[budget.name].met).map((budget) => {
    const summary = summaries[budget.name];
    const figure = summary.ratio === null ? 'no valid figure' : `${summary.ratio.toFixed(2)} ${budget.figure}`;
    const invalid = summary.invalidRounds > 0 ? `; ${summary.invalidRounds} invalid round(s)` : '';
    return `${budget.name}: ${figure}, budget ${describeBudget(budget)}${invalid}`;
  });
}

/** One phase's runs, round by round, for the detail tables. */
export type PhaseDetail = {
  title: string;
  /** Per round: scenario label → run and its figure (the floor's figure is null). */
  rounds: Array<
    Array<{
      label: string;
      rps: number;
      p99Ms: number;
      figure: number | null;
      problems: string[];
      /** Which number the table shows: throughput (the default) or, for the probe, its p99. */
      shows?: 'rps' | 'p99';
    }>
  >;
};

/** A scenario measured for comparison, with no budget of its own. */
export type Reference = { label: string; explanation: string; summary: Summary };

/** The references as the console and RESULTS.md show them. */
export function referenceTable(references: readonly Reference[]): string[] {
  const lines = ['| reference | req/s | p50 ms | p99 ms | × floor | what it shows |', '|---|--:|--:|--:|--:|---|'];
  for (const { label, explanation, summary } of references) {
    const ratio = summary.invalidRounds > 0 ? `INVALID (${summary.invalidRounds})` : show(summary.ratio, 2);
    lines.push(
      `| ${label} | ${show(summary.rps, 0)} | ${show(summary.p50_ms, 1)} | ${show(summary.p99_ms, 1)} | ${ratio} | ${explanation} |`,
    );
  }
  return lines;
}

/** What RESULTS.md is written from: the figures, then what they were measured on. */
export type MarkdownInput = {
  results: ResultsFile;
  summaries: Record<ScenarioName, Summary>;
  /** Scenarios measured for comparison, with no budget of their own. */
  references: readonly Reference[];
  /** Every round's runs, phase by phase. */
  phases: PhaseDetail[];
  databaseKind: DatabaseKind;
  machine: Machine;
  /** The run's settings as one line: rounds, seconds per run, connections, the load generator, the time taken. */
  settings: string;
  /** The 1, 5 and 15 minute load averages before and after the run, as `loadAverage` writes them. */
  loadBefore: string;
  loadAfter: string;
  notes: string[];
};

export function renderMarkdown(input: MarkdownInput): string {
  const { results, machine } = input;
  const missed = missedBudgets(input.summaries);
  const lines = [
    '# Benchmark results',
    '',
    describeDatabaseKind(input.databaseKind),
    '',
    `Written by \`npm run bench\` on ${results.when}. How to run it and what the figures mean: [docs/benchmark.md](../docs/benchmark.md).`,
    '',
    `- **Database**: ${results.database}`,
    `- **Machine**: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB of memory, ${machine.os}`,
    `- **Node.js**: ${machine.node}`,
    `- **Run**: ${input.settings}`,
    `- **Load average** (1 / 5 / 15 min): ${input.loadBefore} before, ${input.loadAfter} after`,
    '',
    '## Budgets',
    '',
    ...budgetTable(input.summaries),
    '',
    missed.length === 0 ? 'Every budget was met.' : `**Missed (${missed.length}):**`,
    ...missed.map((line) => `- ${line}`),
    '',
  ];
  if (input.references.length > 0) lines.push('## Reference (no budget)', '', ...referenceTable(input.references), '');
  if (input.notes.length > 0) lines.push('## Notes', '', ...input.notes.map((note) => `- ${note}`), '');
  const problems = BUDGETS.flatMap((budget) =>
    input.summaries[budget.name].problems.map((p) => `- ${budget.name}, ${p}`),
  );
  if (problems.length > 0) lines.push('## Invalid runs (not averaged in)', '', ...problems, '');
  for (const phase of input.phases) {
    lines.push(`## ${phase.title}`, '', ...phaseTable(phase), '');
  }
  return `${lines.join('\n')}\n`;
}

/** Runs down, rounds across: requests per second (or a probe's p99) and the figure, or INVALID. */
function phaseTable(phase: PhaseDetail): string[] {
  const labels = [...new Set(phase.rounds.flatMap((round) => round.map((run) => run.label)))];
  const header = `| run | ${phase.rounds.map((_, index) => `round ${index + 1}`).join(' | ')} |`;
  const rule = `|---|${phase.rounds.map(() => '--:').join('|')}|`;
  const rows = labels.map((label) => {
    const cells = phase.rounds.map((round) =>
      round
        .filter((run) => run.label === label)
        .map((run) => {
          if (run.problems.length > 0) return 'INVALID';
          const figure = run.figure === null ? '' : ` (${run.figure.toFixed(2)})`;
          if (run.shows === 'p99') return `p99 ${run.p99Ms.toFixed(1)} ms${figure}`;
          return `${run.rps.toFixed(run.rps < 100 ? 1 : 0)}${figure}`;
        })
        .join(', '),
    );
    return `| ${label} | ${cells.join(' | ')} |`;
  });
  return [header, rule, ...rows];
}
