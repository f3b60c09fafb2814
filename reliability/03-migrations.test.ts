import { spawn } from 'node:child_process';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { withFreshDatabase } from '../test/databases';
import { appliedMigrations, committedMigrations, holdMigrationsAtTheStart } from '../test/migration-race';
import { runDir } from './harness/client';
import { query, withDatabase } from './harness/database';
import { report } from './harness/report';

/**
 * Two deploys building at once: two `npm run db:migrate` processes on one fresh database. Both
 * must succeed, and each migration must be applied exactly once.
 */

const adminUrl = inject('reliabilityAdminUrl');
let runs = 0;
afterAll(() => report(runDir, 'migrations', { concurrentMigrationRuns: runs }));

function migrate(url: string): Promise<{ code: number | null; output: string }> {
  runs += 1;
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'db:migrate'], {
      env: { ...process.env, DATABASE_URL: url, CHIRPY_SKIP_MIGRATIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

async function tables(url: string): Promise<string[]> {
  return withDatabase(async (client) => {
    const { rows } = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
    );
    return rows.map((row) => row.table_name);
  }, url);
}

/** Every run exited 0 (the output of all of them when one did not). */
function expectAllSucceeded(results: Array<{ code: number | null; output: string }>): void {
  expect(
    results.map((result) => result.code),
    results.map((result) => result.output).join('\n'),
  ).toEqual(results.map(() => 0));
}

async function expectEachMigrationAppliedOnce(url: string): Promise<void> {
  const migrations = committedMigrations();
  expect(await appliedMigrations(url)).toEqual({ rows: migrations, distinct: migrations });
}

describe('two migrations at once', () => {
  it('released together at the same instant: both succeed, each migration applied once', async () => {
    await withFreshDatabase(adminUrl, async (database) => {
      const gate = await holdMigrationsAtTheStart(database.url);
      const both = Promise.all([migrate(database.url), migrate(database.url)]);
      await gate.openWhenWaiting(2);
      expectAllSucceeded(await both);
      await expectEachMigrationAppliedOnce(database.url);
      expect(await tables(database.url)).toEqual([
        'auth_events',
        'chirps',
        'email_tokens',
        'passkeys',
        'password_reset_tokens',
        'rate_limits',
        'recovery_codes',
        'refresh_tokens',
        'sign_in_challenges',
        'totp_factors',
        'users',
        'webauthn_challenges',
      ]);
    });
  });

  it('started together with no help: both succeed, and a third run later changes nothing', async () => {
    await withFreshDatabase(adminUrl, async (database) => {
      expectAllSucceeded(await Promise.all([migrate(database.url), migrate(database.url)]));
      await expectEachMigrationAppliedOnce(database.url);
      expectAllSucceeded([await migrate(database.url)]);
      await expectEachMigrationAppliedOnce(database.url);
    });
  });

  it('the suite database was migrated once as well', async () => {
    const [row] = await query<{ applied: string }>('select count(*) as applied from drizzle.__drizzle_migrations');
    expect(Number(row?.applied)).toBe(committedMigrations());
  });
});
