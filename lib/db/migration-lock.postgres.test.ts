import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { describe, expect, inject, it, vi } from 'vitest';
import { createFreshDatabase, dropDatabase } from '@/test/databases';
import { appliedMigrations, committedMigrations, holdMigrationsAtTheStart } from '@/test/migration-race';
import { MIGRATION_LOCK_KEY } from './migration-lock';
import { openNodePostgres } from './node-postgres';

/** Two deploys building at once: both migrate one fresh database at the same moment. */
describe('two migration runs at once', () => {
  it('both succeed, and each migration is applied once', async () => {
    const database = await createFreshDatabase(inject('adminDatabaseUrl'));
    try {
      const gate = await holdMigrationsAtTheStart(database.url);
      const runs = [0, 1].map(async () => {
        const open = await openNodePostgres(database.url);
        try {
          await open.migrate();
        } finally {
          await open.close();
        }
      });
      await gate.openWhenWaiting(2);
      const results = await Promise.allSettled(runs);
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
      const migrations = committedMigrations();
      expect(await appliedMigrations(database.url)).toEqual({ rows: migrations, distinct: migrations });
    } finally {
      await dropDatabase(inject('adminDatabaseUrl'), database.name);
    }
  });
});

describe('a migration run and DATABASE_QUERY_TIMEOUT_MS', () => {
  it("is not held to it: a run that waits longer than that for another deploy's lock still applies everything", async () => {
    const database = await createFreshDatabase(inject('adminDatabaseUrl'));
    const other = new Client({ connectionString: database.url });
    try {
      await other.connect();
      await other.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      vi.stubEnv('DATABASE_QUERY_TIMEOUT_MS', '200');
      const open = await openNodePostgres(database.url);
      try {
        const run = open.migrate();
        await sleep(1_000);
        await other.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        await run;
      } finally {
        await open.close();
      }
      const migrations = committedMigrations();
      expect(await appliedMigrations(database.url)).toEqual({ rows: migrations, distinct: migrations });
    } finally {
      await other.end();
      await dropDatabase(inject('adminDatabaseUrl'), database.name);
    }
  });
});
