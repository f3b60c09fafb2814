/**
 * The budgets, in one place: what `npm run bench` measures each scenario against.
 *
 * `figure` says what the number compared with the budget is. For most scenarios it is the
 * median, over the rounds, of the scenario's requests per second divided by the floor's in the
 * same round (the floor: a bare route handler doing one primary-key SELECT). The home pages
 * compare their floor ratio with that of the cheapest signed-in page (bench-only) of the same run.
 * The 1,000,000-row scenarios compare that same floor ratio with 1,000,000 rows against it with
 * 1,000. Logins are counted per second; the healthz probe's p99 while logins run is compared with its p99 idle.
 */

export type Comparison = 'at_least' | 'at_most';

export type Budget = {
  name: string;
  label: string;
  budget: number;
  comparison: Comparison;
  figure: string;
};

export const BUDGETS = [
  { name: 'healthz', label: '`GET /api/healthz`', budget: 0.95, comparison: 'at_least', figure: '× floor' },
  { name: 'chirp_by_id', label: '`GET /api/chirps/{id}`', budget: 0.9, comparison: 'at_least', figure: '× floor' },
  {
    name: 'me_cookie',
    label: '`GET /api/me` with a valid session access cookie',
    budget: 0.8,
    comparison: 'at_least',
    figure: '× floor',
  },
  {
    name: 'refresh_bearer',
    label: '`POST /api/refresh` (bearer)',
    budget: 0.75,
    comparison: 'at_least',
    figure: '× floor',
  },
  {
    name: 'post_chirp_bearer',
    label: '`POST /api/chirps` (bearer)',
    budget: 0.65,
    comparison: 'at_least',
    figure: '× floor',
  },
  {
    name: 'cookie_rotation',
    label: 'cookie rotation: `GET /api/me` with only a never-used refresh cookie',
    budget: 0.5,
    comparison: 'at_least',
    figure: '× floor',
  },
  // Every page renders per request (its CSP carries a per-request nonce), so a page is measured
  // against the cheapest signed-in page of the same run rather than against the route floor.
  {
    name: 'home_signed_in',
    label: 'signed-in home page (first page of the timeline)',
    budget: 0.75,
    comparison: 'at_least',
    figure: '× cheapest page',
  },
  {
    name: 'home_own_chirps',
    label: 'signed-in home page holding 50 of the reader’s own chirps, each with its delete control',
    budget: 0.75,
    comparison: 'at_least',
    figure: '× cheapest page',
  },
  {
    name: 'chirps_page_1m_vs_1k',
    label: '`GET /api/chirps?limit=50` with 1,000,000 chirps vs with 1,000',
    budget: 0.85,
    comparison: 'at_least',
    figure: '1M ÷ 1k',
  },
  {
    name: 'refresh_1m_vs_1k',
    label: '`POST /api/refresh` (bearer) with 1,000,000 token rows vs 1,000',
    budget: 0.9,
    comparison: 'at_least',
    figure: '1M ÷ 1k',
  },
  {
    name: 'rotation_1m_vs_1k',
    label: 'cookie rotation with 1,000,000 token rows vs 1,000',
    budget: 0.9,
    comparison: 'at_least',
    figure: '1M ÷ 1k',
  },
  {
    name: 'logins_per_second',
    label: 'logins per second at `BCRYPT_COST=10`',
    budget: 18,
    comparison: 'at_least',
    figure: 'logins/s',
  },
  {
    name: 'healthz_p99_under_logins',
    label: '`GET /api/healthz` p99 while logins run flat out, vs idle',
    budget: 3,
    comparison: 'at_most',
    figure: '× idle p99',
  },
] as const satisfies readonly Budget[];

export type ScenarioName = (typeof BUDGETS)[number]['name'];

export function meets(budget: Pick<Budget, 'budget' | 'comparison'>, figure: number): boolean {
  return budget.comparison === 'at_least' ? figure >= budget.budget : figure <= budget.budget;
}

export function describeBudget(budget: Pick<Budget, 'budget' | 'comparison' | 'figure'>): string {
  return `${budget.comparison === 'at_least' ? '≥' : '≤'} ${budget.budget} ${budget.figure}`;
}

/** One value per budgeted scenario, in the table's order. */
export function perScenario<T>(make: (budget: (typeof BUDGETS)[number]) => T): Record<ScenarioName, T> {
  // Every name is filled in below, from the same list the type is made of.
  const result = {} as Record<ScenarioName, T>;
  for (const budget of BUDGETS) result[budget.name] = make(budget);
  return result;
}
