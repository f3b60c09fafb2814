import { describe, expect, inject, it } from 'vitest';
import { createFreshDatabase, dropDatabase } from '@/test/databases';
import { appliedMigrations, committedMigrations, holdMigrationsAtTheStart } from '@/test/migration-race';
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
