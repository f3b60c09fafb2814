import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * A database of a run's own, so that runs never see each other's rows: on PostgreSQL a database
 * created from an admin URL (whose own database is only used to create it), on the embedded
 * PGlite a data folder. Each PostgreSQL database is named with its prefix and start time, so that
 * one left behind by an interrupted run is recognised and dropped by a later run of the same kind.
 */

export type PostgresDatabase = { kind: 'postgresql'; name: string; url: string; adminUrl: string };
export type EmbeddedDatabase = { kind: 'embedded'; dataDir: string };
export type FreshDatabase = PostgresDatabase | EmbeddedDatabase;

/** Whose database it is: each kind of run recognises, and drops, only its own leftovers. */
const PREFIXES = { test: 'chirpy_test_', bench: 'chirpy_bench_' } as const;
export type DatabasePurpose = keyof typeof PREFIXES;

const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

/** `work` on one connection to `url`, closed afterwards whatever `work` did. */
export async function withConnection<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database `chirpy_<purpose>_<time>_<random>` on the server of `adminUrl`. */
export async function createFreshDatabase(adminUrl: string, purpose: DatabasePurpose): Promise<PostgresDatabase> {
  const prefix = PREFIXES[purpose];
  const name = `${prefix}${Date.now()}_${randomBytes(4).toString('hex')}`;
  await withConnection(adminUrl, async (client) => {
    await dropStaleDatabases(client, prefix);
    await client.query(`CREATE DATABASE ${name}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { kind: 'postgresql', name, url: url.toString(), adminUrl };
}

/** Drops it even while a server still holds connections to it. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withConnection(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** `work` on a fresh database, dropped afterwards whatever `work` did. */
export async function withFreshDatabase<T>(
  adminUrl: string,
  purpose: DatabasePurpose,
  work: (database: PostgresDatabase) => Promise<T>,
): Promise<T> {
  const database = await createFreshDatabase(adminUrl, purpose);
  try {
    return await work(database);
  } finally {
    await dropDatabase(adminUrl, database.name);
  }
}

async function dropStaleDatabases(client: Client, prefix: string): Promise<void> {
  const { rows } = await client.query<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
    [prefix],
  );
  for (const { datname } of rows) {
    const startedAt = Number(datname.slice(prefix.length).split('_')[0]);
    if (Number.isFinite(startedAt) && Date.now() - startedAt > STALE_AFTER_MS) {
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
  }
}

/** A new, empty PGlite data folder inside `parent`. */
export function createFreshDataDir(parent: string): EmbeddedDatabase {
  return { kind: 'embedded', dataDir: mkdtempSync(join(parent, 'pglite-')) };
}

export async function removeFreshDatabase(database: FreshDatabase): Promise<void> {
  if (database.kind === 'postgresql') await dropDatabase(database.adminUrl, database.name);
  else rmSync(database.dataDir, { recursive: true, force: true });
}

/** What a server reads to use it. */
export function databaseEnvironment(database: FreshDatabase): Record<string, string> {
  return database.kind === 'postgresql' ? { DATABASE_URL: database.url } : { CHIRPY_DATA_DIR: database.dataDir };
}
