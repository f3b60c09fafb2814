import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { Pool, type PoolClient } from 'pg';
import { getSettings } from '../config';
import { logFault } from './fault-log';
import { migrateUnderLock, migrationPoolOptions } from './migration-lock';
import { MIGRATIONS_FOLDER } from './migrations';
import { endWhenAQueryTimesOut, setStatementTimeout } from './query-timeout';
import { schema } from './schema';
import type { OpenDatabase } from './types';

/** Any Postgres reached over TCP through `DATABASE_URL`. Migrations are a deploy step here. */
export async function openNodePostgres(url: string): Promise<OpenDatabase> {
  const settings = getSettings();
  // A request waits at most this long for a connection, and for an answer (then 503), rather
  // than forever (lib/db/query-timeout.ts).
  const pool = new Pool({
    connectionString: url,
    max: settings.DATABASE_POOL_MAX,
    connectionTimeoutMillis: settings.DATABASE_CONNECT_TIMEOUT_MS,
    query_timeout: settings.DATABASE_QUERY_TIMEOUT_MS,
    // Awaited by the pool before the connection's first query.
    onConnect: (client) => setStatementTimeout(client, settings.DATABASE_QUERY_TIMEOUT_MS),
  });
  pool.on('connect', endWhenAQueryTimesOut);
  // An idle client losing its connection emits 'error' on the pool; unhandled, it kills the process.
  pool.on('error', (error) => logFault('postgres pool (idle connection)', error));
  discardBrokenClients(pool);
  const db = drizzle({ client: pool, schema });
  return { db, migrate: () => migrateDatabase(url), close: () => pool.end() };
}

/** Under the advisory lock, on a pool of its own (lib/db/migration-lock.ts). */
async function migrateDatabase(url: string): Promise<void> {
  const pool = new Pool(migrationPoolOptions(url));
  pool.on('error', (error) => logFault('postgres migration connection', error));
  await migrateUnderLock(pool, (client: PoolClient) =>
    migrate(drizzle({ client, schema }), { migrationsFolder: MIGRATIONS_FOLDER }),
  );
}

/**
 * A connection that drops while its client is checked out makes the client emit 'error'. Unheard,
 * that event crashes the process. And drizzle's transaction() never releases a client whose BEGIN
 * failed: each cut during a BEGIN would leak one from the pool until every request waited forever.
 * So a checked-out client that breaks is handed back at once as broken (the pool discards it), and
 * the release its user may still call is a no-op. The query in flight rejects on its own (503).
 */
function discardBrokenClients(pool: Pool): void {
  const checkedOut = new WeakSet<PoolClient>();
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_error, client) => checkedOut.delete(client));
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      // An idle client's failure is the pool's own 'error' event, handled above.
      if (!checkedOut.has(client)) return;
      checkedOut.delete(client);
      const release = client.release;
      client.release = () => {};
      release(error);
    });
  });
}
