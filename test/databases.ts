import {
  createFreshDatabase as createDatabase,
  type PostgresDatabase,
  withFreshDatabase as withDatabase,
} from '../harness/fresh-database';

export { dropDatabase } from '../harness/fresh-database';

/**
 * The test suites' databases on a real PostgreSQL (the unit suite's run, the reliability suite's,
 * and tests that need one of their own): `chirpy_test_<time>_<random>`, from harness/fresh-database.ts.
 */

export function createFreshDatabase(adminUrl: string): Promise<PostgresDatabase> {
  return createDatabase(adminUrl, 'test');
}

/** `work` on a database of its own, dropped afterwards. */
export function withFreshDatabase<T>(adminUrl: string, work: (database: PostgresDatabase) => Promise<T>): Promise<T> {
  return withDatabase(adminUrl, 'test', work);
}
