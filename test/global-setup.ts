import type { TestProject } from 'vitest/node';
import { openNodePostgres } from '../lib/db/node-postgres';
import { openVercelPostgres } from '../lib/db/vercel-postgres';
import { createFreshDatabase, dropDatabase } from './databases';
import { routeVercelPostgresThrough } from './neon-config';
import { startRelay } from './ws-relay';

declare module 'vitest' {
  export interface ProvidedContext {
    testDriver: 'pglite' | 'pg' | 'vercel-postgres';
    adminDatabaseUrl: string;
    databaseUrl: string;
    relayAddress: string;
  }
}

/**
 * Real-Postgres runs: a fresh database for this run, migrated the way a deployment migrates it
 * (through the driver under test), dropped at the end. PGlite runs need nothing here.
 *
 * TEST_POOLER_ADDRESS (`host:port` of a pooler in front of that server, e.g. PgBouncer) sends the
 * tests through the pooler. The database is still created and migrated directly, as a deployment
 * behind a transaction pooler migrates (scripts/pgbouncer-contract.sh).
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const { testDriver, adminDatabaseUrl } = project.getProvidedContext();
  if (testDriver === 'pglite') return undefined;
  const database = await createFreshDatabase(adminDatabaseUrl);
  const cleanups: Array<() => Promise<void> | void> = [() => dropDatabase(adminDatabaseUrl, database.name)];
  try {
    if (testDriver === 'pg') {
      const open = await openNodePostgres(database.url);
      await open.migrate().finally(() => open.close());
      project.provide('databaseUrl', throughPooler(database.url, process.env.TEST_POOLER_ADDRESS));
    } else {
      const relay = await startRelay();
      cleanups.unshift(() => relay.close());
      cleanups.unshift(await routeVercelPostgresThrough(relay.address));
      // @vercel/postgres accepts a direct (non-pooled) URL only for the host name `localhost`.
      const url = new URL(database.url);
      url.hostname = 'localhost';
      const open = await openVercelPostgres(url.toString());
      await open.migrate().finally(() => open.close());
      project.provide('databaseUrl', url.toString());
      project.provide('relayAddress', relay.address);
    }
  } catch (error) {
    for (const cleanup of cleanups) await cleanup();
    throw error;
  }
  return async () => {
    for (const cleanup of cleanups) await cleanup();
  };
}

function throughPooler(url: string, pooler: string | undefined): string {
  if (pooler === undefined || pooler.trim() === '') return url;
  const pooled = new URL(url);
  pooled.host = pooler.trim();
  return pooled.toString();
}
