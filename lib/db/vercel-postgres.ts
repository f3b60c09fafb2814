import { createPool, type VercelPoolClient } from '@vercel/postgres';
import { drizzle } from 'drizzle-orm/vercel-postgres';
import { migrate } from 'drizzle-orm/vercel-postgres/migrator';
import { getSettings } from '../config';
import { describeError } from './errors';
import { migrateUnderLock, migrationPoolOptions } from './migration-lock';
import { MIGRATIONS_FOLDER } from './migrations';
import { endWhenAQueryTimesOut, setStatementTimeout } from './query-timeout';
import { schema } from './schema';
import type { OpenDatabase } from './types';

/**
 * Vercel Postgres (Neon) over its WebSocket driver. @vercel/postgres is no longer developed
 * upstream; it is confined to this file so that moving to @neondatabase/serverless's own Pool is
 * a change here and nowhere else.
 */
export async function openVercelPostgres(url: string): Promise<OpenDatabase> {
  const settings = getSettings();
  const pool = createPool({
    connectionString: url,
    max: settings.DATABASE_POOL_MAX,
    connectionTimeoutMillis: settings.DATABASE_CONNECT_TIMEOUT_MS,
    query_timeout: settings.DATABASE_QUERY_TIMEOUT_MS,
  });
  pool.on('connect', (client) => {
    endWhenAQueryTimesOut(client);
    // Its pool has no onConnect hook to wait for: the SET is queued ahead of the first query, and
    // a failure there is the connection's, which that query meets too.
    setStatementTimeout(client, settings.DATABASE_QUERY_TIMEOUT_MS).catch(() => {});
  });
  pool.on('error', (error) => console.error('vercel postgres pool error:', describeError(error)));
  const db = drizzle({ client: pool, schema });
  return { db, migrate: () => migrateDatabase(url), close: () => pool.end() };
}

/** Two deploys building at once must not both apply migrations (lib/db/migration-lock.ts). */
async function migrateDatabase(url: string): Promise<void> {
  const pool = createPool(migrationPoolOptions(url));
  pool.on('error', (error) => console.error('vercel postgres migration connection error:', describeError(error)));
  await migrateUnderLock(pool, (client: VercelPoolClient) =>
    migrate(drizzle({ client, schema }), { migrationsFolder: MIGRATIONS_FOLDER }),
  );
}
