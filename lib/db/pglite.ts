import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { IN_MEMORY_DATA_DIR } from '../config';
import { MIGRATIONS_FOLDER } from './migrations';
import { lockDataFolder } from './pglite-lock';
import { schema } from './schema';
import type { OpenDatabase } from './types';

/** The embedded database: migrated on open, since nobody runs a migration step for it. */
export async function openPglite(dataDir: string): Promise<OpenDatabase> {
  let client: PGlite;
  if (dataDir === IN_MEMORY_DATA_DIR) {
    client = new PGlite();
  } else {
    lockDataFolder(dataDir);
    client = new PGlite(join(dataDir, 'pglite'));
  }
  const db = drizzle({ client, schema });
  await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return {
    db,
    migrate: () => migrate(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    close: () => client.close(),
  };
}
