import { describe, expect, it } from 'vitest';
import { BUDGETS, describeBudget, meets } from './budgets';
import { floorRatio, type Measurement, median, percentile, type Round, scalingFigure, summarise } from './stats';

const run = (rps: number, problems: string[] = [], p99Ms = 20): Measurement => ({
  rps,
  p50Ms: 10,
  p99Ms,
  completed: Math.round(rps * 8),
  bytesPerAnswer: 500,
  problems,
  notes: [],
});

const round = (rps: number, figure: number | null, problems: string[] = []): Round => ({
  measurement: run(rps, problems),
  figure,
});

const atLeast = { budget: 0.8, comparison: 'at_least' } as const;

describe('median and percentile', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('reads percentiles by nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBe(0);
  });
});

describe('floorRatio', () => {
  it('divides by the mean of the floor runs before and after', () => {
    expect(floorRatio(run(450), run(400), run(600))).toBeCloseTo(0.9);
  });

  it('leaves an invalid floor run out, and gives no ratio without a valid one or for an invalid scenario run', () => {
    expect(floorRatio(run(450), run(9000, ['500s']), run(500))).toBeCloseTo(0.9);
    expect(floorRatio(run(450), run(500, ['timeouts']), run(500, ['timeouts']))).toBeNull();
    expect(floorRatio(run(450, ['401s']), run(500), run(500))).toBeNull();
  });
});

describe('summarise', () => {
  it('reports the medians over the rounds and meets a budget the median ratio reaches', () => {
    const summary = summarise(atLeast, [round(100, 0.7), round(120, 0.85), round(110, 0.9)]);
    expect(summary).toMatchObject({ rps: 110, ratio: 0.85, budget: 0.8, met: true, validRounds: 3, invalidRounds: 0 });
  });

  it('does not average invalid rounds in, and a scenario with one has not met its budget', () => {
    const summary = summarise(atLeast, [round(100, 0.9), round(5000, null, ['12× 500']), round(110, 0.95)]);
    expect(summary.rps).toBe(105);
    expect(summary.ratio).toBeCloseTo(0.925);
    expect(summary.met).toBe(false);
    expect(summary.invalidRounds).toBe(1);
    expect(summary.problems).toEqual(['round 2: 12× 500']);
  });

  it('has no figures and no pass when every round was invalid', () => {
    const summary = summarise(atLeast, [round(100, null, ['timeouts'])]);
    expect(summary).toMatchObject({ rps: null, ratio: null, met: false });
  });

  it('compares at most for the latency budget', () => {
    const atMost = { budget: 3, comparison: 'at_most' } as const;
    expect(summarise(atMost, [round(50, 2.5)]).met).toBe(true);
    expect(summarise(atMost, [round(50, 15)]).met).toBe(false);
  });

  it('takes the 1M-vs-1k figure as given, and counts the small case’s invalid rounds against it', () => {
    const baseline = [round(200, 0.5), round(200, 0.5, ['3 timeouts'])];
    const grown = [round(190, 0.48)];
    const summary = summarise({ budget: 0.9, comparison: 'at_least' }, grown, {
      figure: scalingFigure(baseline, grown),
      baseline,
    });
    expect(summary.ratio).toBeCloseTo(0.96);
    expect(summary.met).toBe(false);
    expect(summary.problems).toEqual(['with 1,000 rows, round 2: 3 timeouts']);
  });

  it('measures a page against the cheapest page of the same run, and names it in its problems', () => {
    const cheapest = [round(400, 0.2), round(400, 0.2, ['2× 500'])];
    const home = [round(300, 0.15), round(280, 0.14)];
    const summary = summarise({ budget: 0.75, comparison: 'at_least' }, home, {
      figure: scalingFigure(cheapest, home),
      baseline: cheapest,
      baselineLabel: 'the cheapest page, ',
    });
    expect(summary.ratio).toBeCloseTo(0.725);
    expect(summary.met).toBe(false);
    expect(summary.problems).toEqual(['the cheapest page, round 2: 2× 500']);
  });
});

describe('scalingFigure', () => {
  it('is the median floor ratio with the big table over that with the small one', () => {
    expect(scalingFigure([round(1, 0.5), round(1, 0.6), round(1, 0.7)], [round(1, 0.54), round(1, 0.3)])).toBeCloseTo(
      0.42 / 0.6,
    );
    expect(scalingFigure([round(1, null, ['x'])], [round(1, 0.5)])).toBeNull();
  });
});

describe('budgets', () => {
  it('holds the issue’s table, each name once', () => {
    expect(BUDGETS.map((budget) => [budget.name, budget.budget])).toEqual([
      ['healthz', 0.95],
      ['chirp_by_id', 0.9],
      ['me_cookie', 0.8],
      ['refresh_bearer', 0.75],
      ['post_chirp_bearer', 0.65],
      ['cookie_rotation', 0.5],
      ['home_signed_in', 0.75],
      ['home_own_chirps', 0.75],
      ['chirps_page_1m_vs_1k', 0.85],
      ['refresh_1m_vs_1k', 0.9],
      ['rotation_1m_vs_1k', 0.9],
      ['logins_per_second', 18],
      ['healthz_p99_under_logins', 3],
    ]);
  });

  it('says which way each budget points', () => {
    const logins = BUDGETS.find((budget) => budget.name === 'logins_per_second');
    const latency = BUDGETS.find((budget) => budget.name === 'healthz_p99_under_logins');
    expect(logins && meets(logins, 18)).toBe(true);
    expect(logins && meets(logins, 17.9)).toBe(false);
    expect(latency && meets(latency, 3)).toBe(true);
    expect(latency && meets(latency, 3.1)).toBe(false);
    expect(latency && describeBudget(latency)).toBe('≤ 3 × idle p99');
  });
});
