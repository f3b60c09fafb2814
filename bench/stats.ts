import { type Budget, meets } from './budgets';

/**
 * The arithmetic of the report, apart from anything that runs a server, so it can be tested.
 */

/** One load run: its throughput and latencies, and what was wrong with its answers (none: valid). */
export type Measurement = {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  completed: number;
  /** Headers and body, as received. */
  bytesPerAnswer: number;
  problems: string[];
  /** What the scenario's own checks found when all was well (shown in the progress line). */
  notes: string[];
};

export const isValid = (measurement: Measurement): boolean => measurement.problems.length === 0;

/** One round of one scenario: its run and the figure its budget applies to (null when invalid). */
export type Round = { measurement: Measurement; figure: number | null };

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? 0) + upper) / 2;
}

/** Nearest-rank percentile of values sorted ascending; 0 for none. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/**
 * A scenario's requests per second against the floor around it: the mean of the floor runs just
 * before and just after, so that drift during the round falls on both sides alike. An invalid
 * floor run is left out; with neither valid there is no ratio.
 */
export function floorRatio(scenario: Measurement, floorBefore: Measurement, floorAfter: Measurement): number | null {
  if (!isValid(scenario)) return null;
  const floors = [floorBefore, floorAfter].filter(isValid).map((floor) => floor.rps);
  const floor = floors.length === 0 ? 0 : floors.reduce((sum, rps) => sum + rps, 0) / floors.length;
  return floor > 0 ? scenario.rps / floor : null;
}

/** What results.json holds for one scenario (null figures: no valid round). */
export type ScenarioResult = {
  rps: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  ratio: number | null;
  budget: number;
  met: boolean;
};

export type Summary = ScenarioResult & { validRounds: number; invalidRounds: number; problems: string[] };

/**
 * Medians over the valid rounds. Invalid rounds are not averaged in, and a scenario with any
 * invalid round has not met its budget: answers that were wrong are not fast answers.
 * For the 1M-vs-1k comparisons and the pages measured against the cheapest page, `comparison`
 * gives the figure (scalingFigure) and the rounds it is compared with, which must be valid too.
 */
export function summarise(
  budget: Pick<Budget, 'budget' | 'comparison'>,
  rounds: readonly Round[],
  comparison?: { figure: number | null; baseline: readonly Round[]; baselineLabel?: string },
): Summary {
  const valid = rounds.filter((round) => isValid(round.measurement) && round.figure !== null);
  const baselineInvalid = (comparison?.baseline ?? []).filter((round) => !isValid(round.measurement)).length;
  const invalid = rounds.length - valid.length + baselineInvalid;
  const pick = (value: (round: Round) => number) => median(valid.map(value));
  const ratio =
    comparison === undefined
      ? median(valid.flatMap((round) => (round.figure === null ? [] : [round.figure])))
      : comparison.figure;
  return {
    rps: pick((round) => round.measurement.rps),
    p50_ms: pick((round) => round.measurement.p50Ms),
    p99_ms: pick((round) => round.measurement.p99Ms),
    ratio,
    budget: budget.budget,
    met: ratio !== null && invalid === 0 && rounds.length > 0 && meets(budget, ratio),
    validRounds: valid.length,
    invalidRounds: invalid,
    problems: [
      ...describeProblems('', rounds),
      ...describeProblems(comparison?.baselineLabel ?? 'with 1,000 rows, ', comparison?.baseline ?? []),
    ],
  };
}

function describeProblems(prefix: string, rounds: readonly Round[]): string[] {
  return rounds.flatMap((round, index) =>
    round.measurement.problems.map((problem) => `${prefix}round ${index + 1}: ${problem}`),
  );
}

/**
 * The 1,000,000-row comparisons: how the scenario's floor ratio with the big table compares with
 * its floor ratio with the small one, each the median over its rounds. The pages use it too: a
 * page's floor ratio against the cheapest page's, both from the same run.
 */
export function scalingFigure(small: readonly Round[], big: readonly Round[]): number | null {
  const figures = (rounds: readonly Round[]) =>
    rounds.flatMap((round) => (isValid(round.measurement) && round.figure !== null ? [round.figure] : []));
  const smallMedian = median(figures(small));
  const bigMedian = median(figures(big));
  return smallMedian === null || bigMedian === null || smallMedian === 0 ? null : bigMedian / smallMedian;
}

/** Rounded for the report; null stays null (no valid round). */
export function round(value: number | null, decimals: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
