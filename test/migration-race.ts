import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { z } from 'zod';
import { withConnection } from '../harness/fresh-database';

/**
 * Makes two migration runs really meet. Each run's first step is `CREATE SCHEMA IF NOT EXISTS
 * drizzle`; while this gate holds that schema in an open transaction, a run that gets there waits.
 * Once two runs are waiting (on the schema, or one of them on the migration lock), the gate rolls
 * back and both go at the same instant, as two deploys starting together would at worst.
 */
export async function holdMigrationsAtTheStart(
  url: string,
): Promise<{ openWhenWaiting: (runs: number) => Promise<void> }> {
  const gate = new Client({ connectionString: url });
  await gate.connect();
  await gate.query('begin');
  await gate.query('create schema drizzle');
  return {
    openWhenWaiting: async (runs) => {
      try {
        const deadline = Date.now() + 60_000;
        while ((await waitingBackends(gate)) < runs) {
          if (Date.now() > deadline) throw new Error(`fewer than ${runs} migration runs reached the gate within 60 s`);
          await sleep(50);
        }
        await gate.query('rollback');
      } finally {
        await gate.end();
      }
    },
  };
}

async function waitingBackends(gate: Client): Promise<number> {
  // Inside a transaction pg_stat_activity is read once and then kept: ask for a fresh look.
  await gate.query('select pg_stat_clear_snapshot()');
  const { rows } = await gate.query<{ waiting: string }>(
    `select count(*) as waiting from pg_stat_activity
     where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'`,
  );
  return Number(rows[0]?.waiting);
}

const journalSchema = z.object({ entries: z.array(z.object({ tag: z.string() })) });

/** How many migrations drizzle/ holds. */
export function committedMigrations(): number {
  const journal = journalSchema.parse(JSON.parse(readFileSync(join('drizzle', 'meta', '_journal.json'), 'utf8')));
  return journal.entries.length;
}

/** The migrations a database records as applied: how many rows, and how many distinct ones. */
export async function appliedMigrations(url: string): Promise<{ rows: number; distinct: number }> {
  const { rows } = await withConnection(url, (client) =>
    client.query<{ applied: string; different: string }>(
      'select count(*) as applied, count(distinct hash) as different from drizzle.__drizzle_migrations',
    ),
  );
  return { rows: Number(rows[0]?.applied), distinct: Number(rows[0]?.different) };
}
