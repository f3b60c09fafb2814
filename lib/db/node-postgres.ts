import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { Pool } from 'pg';
import type { OpenDatabase } from './client';
import { describeError } from './errors';
import { MIGRATIONS_FOLDER } from './migrations';
import { schema } from './schema';

/** Any Postgres reached over TCP through `DATABASE_URL`. Migrations are a deploy step here. */
export async function openNodePostgres(url: string): Promise<OpenDatabase> {
  const pool = new Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it kills the process.
  pool.on('error', (error) => console.error('postgres pool error:', describeError(error)));
  const db = drizzle({ client: pool, schema });
  return {
    db,
    migrate: () => migrate(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    close: () => pool.end(),
  };
}
