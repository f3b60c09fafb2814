/**
 * Two deploys building at once both run `npm run db:migrate` against one database. Drizzle's
 * migrator reads which migrations are applied, then applies the rest in a transaction: two at once
 * both read "none" and both create the same tables, and one fails (or, with luckier timing, a
 * migration runs twice). So migrations hold a Postgres advisory lock for their whole run: the
 * second waits, then finds everything applied and does nothing. A session-level lock on one
 * connection, because the migrator runs several statements and its own transaction.
 */

import { getSettings } from '../config';

/** Any driver's client holding one connection: pg's PoolClient, @vercel/postgres's. */
export type LockableClient = {
  query: (text: string, values?: unknown[]) => Promise<unknown>;
  release: (error?: Error | boolean) => void;
};

/** Arbitrary, fixed: every Chirpy migration run, whatever the process, takes this one lock. */
export const MIGRATION_LOCK_KEY = 7_420_661_001;

export async function withMigrationLock<Client extends LockableClient, T>(
  connect: () => Promise<Client>,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = await connect();
  let broken = false;
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await work(client);
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {
        // The connection is gone, and the lock with it; do not hand the client back to the pool.
        broken = true;
      });
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * The pool a migration run opens for itself: one connection, without DATABASE_QUERY_TIMEOUT_MS,
 * since a run may wait for another deploy's lock and a migration's statements may take longer
 * than any request should.
 */
export function migrationPoolOptions(url: string) {
  return { connectionString: url, max: 1, connectionTimeoutMillis: getSettings().DATABASE_CONNECT_TIMEOUT_MS };
}

/** Applies the migrations on the pool's one connection, under the lock, then closes the pool. */
export async function migrateUnderLock<Client extends LockableClient>(
  pool: { connect: () => Promise<Client>; end: () => Promise<void> },
  applyMigrations: (client: Client) => Promise<unknown>,
): Promise<void> {
  try {
    await withMigrationLock(() => pool.connect(), applyMigrations);
  } finally {
    await pool.end();
  }
}
