import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { schema } from './schema';

/**
 * What every driver module hands back (pglite.ts, node-postgres.ts, vercel-postgres.ts) and what
 * client.ts, which picks one, passes on. Its own module, so that the drivers depend on it and not
 * on the module that chooses between them.
 */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export type OpenDatabase = {
  db: Database;
  migrate: () => Promise<void>;
  close: () => Promise<void>;
};
