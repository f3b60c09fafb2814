import 'server-only';
import { sql } from 'drizzle-orm';
import { getDataDir, present } from '../config';
import type { Database, OpenDatabase } from './types';

export type { Database, OpenDatabase } from './types';

export type DriverChoice =
  | { driver: 'pglite'; dataDir: string }
  | { driver: 'pg'; url: string }
  | { driver: 'vercel-postgres'; url: string };

export type DriverSelection = { ok: true; choice: DriverChoice } | { ok: false; error: string };

/**
 * The one place that decides which database Chirpy talks to:
 * Vercel with POSTGRES_URL → @vercel/postgres; DATABASE_URL → pg; otherwise embedded PGlite,
 * except on Vercel, where an embedded database would vanish with each function instance.
 */
export function selectDriver(env: NodeJS.ProcessEnv): DriverSelection {
  const onVercel = present(env.VERCEL) !== undefined;
  const postgresUrl = present(env.POSTGRES_URL);
  const databaseUrl = present(env.DATABASE_URL);
  if (onVercel && postgresUrl) return { ok: true, choice: { driver: 'vercel-postgres', url: postgresUrl } };
  if (databaseUrl) return { ok: true, choice: { driver: 'pg', url: databaseUrl } };
  if (onVercel) {
    return {
      ok: false,
      error:
        'No database configured on Vercel: set POSTGRES_URL (added by the Vercel/Neon Postgres integration) ' +
        'or DATABASE_URL. The embedded database cannot be used there: it would vanish with each function instance.',
    };
  }
  return { ok: true, choice: { driver: 'pglite', dataDir: getDataDir(env) } };
}

export async function openDatabase(choice: DriverChoice): Promise<OpenDatabase> {
  // Imported on demand so a deployment loads only its own driver (PGlite alone is 15 MB of WASM).
  switch (choice.driver) {
    case 'pglite':
      return (await import('./pglite')).openPglite(choice.dataDir);
    case 'pg':
      return (await import('./node-postgres')).openNodePostgres(choice.url);
    case 'vercel-postgres':
      return (await import('./vercel-postgres')).openVercelPostgres(choice.url);
  }
}

// On globalThis, not in module scope: the proxy, route handlers and dev-mode reloads may each
// evaluate this module, and there must still be one database per process.
const holder = globalThis as typeof globalThis & { chirpyDatabase?: Promise<OpenDatabase> };

function openFromEnvironment(): Promise<OpenDatabase> {
  const selection = selectDriver(process.env);
  if (!selection.ok) return Promise.reject(new Error(selection.error));
  return openDatabase(selection.choice);
}

/** The process's database, opened on first use. A failed open is retried on the next call. */
export async function getDb(): Promise<Database> {
  holder.chirpyDatabase ??= openFromEnvironment().catch((error: unknown) => {
    holder.chirpyDatabase = undefined;
    throw error;
  });
  return (await holder.chirpyDatabase).db;
}

/**
 * Puts another database in place of the process's one (tests: a fresh database, or one that is
 * down) and returns the one it replaced, so it can be put back.
 */
export function swapDatabase(next: Promise<OpenDatabase> | undefined): Promise<OpenDatabase> | undefined {
  const previous = holder.chirpyDatabase;
  holder.chirpyDatabase = next;
  return previous;
}

/** Closes the process's database (tests and scripts); the next getDb() opens it again. */
export async function closeDb(): Promise<void> {
  const open = holder.chirpyDatabase;
  holder.chirpyDatabase = undefined;
  if (open) await (await open).close();
}

export async function pingDatabase(): Promise<void> {
  const db = await getDb();
  await db.execute(sql`select 1`);
}
