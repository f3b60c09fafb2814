import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { z } from 'zod';
import { type Database, getDb, swapDatabase } from './client';
import { openNodePostgres } from './node-postgres';
import { prepareStatement } from './statement';

/**
 * Named prepared statements behind a pooler that does not keep them (PgBouncer in transaction
 * mode before 1.21, or without max_prepared_statements): a statement's name already taken on the
 * server connection the pooler picked (42P05), or missing from it (26000). Both are made here on
 * plain PostgreSQL, on a pool of one connection: PREPARE takes the name behind the driver's back,
 * DEALLOCATE drops it. A pooler does the same by handing the client another server's connection.
 */

const answer = z.object({ rows: z.tuple([z.object({ n: z.number() })]) });

let previous: ReturnType<typeof swapDatabase>;
let logged: string[];

beforeEach(() => {
  vi.stubEnv('DATABASE_POOL_MAX', '1');
  previous = swapDatabase(openNodePostgres(inject('databaseUrl')));
  logged = [];
  for (const level of ['error', 'warn'] as const) {
    vi.spyOn(console, level).mockImplementation((...parts: unknown[]) => {
      logged.push(parts.map(String).join(' '));
    });
  }
});

afterEach(async () => {
  vi.restoreAllMocks();
  const single = swapDatabase(previous);
  await (await single)?.close();
});

/** Names prepared on the one pooled connection, as the server sees it. */
async function preparedOnServer(db: Database): Promise<string[]> {
  const { rows } = z
    .object({ rows: z.array(z.object({ name: z.string() })) })
    .parse(await db.execute(sql`select name from pg_prepared_statements order by name`));
  return rows.map((row) => row.name);
}

function plusOne(name: string) {
  return prepareStatement(name, () => sql`select ${sql.placeholder('n')}::int + 1 as n`);
}

async function addOne(statement: ReturnType<typeof plusOne>, n: number): Promise<number> {
  return answer.parse(await statement({ n })).rows[0].n;
}

describe('named statements (DATABASE_PREPARED_STATEMENTS on, the default)', () => {
  it('are parsed once per connection under their name', async () => {
    const statement = plusOne('chirpy_test_named');
    expect(await addOne(statement, 1)).toBe(2);
    expect(await preparedOnServer(await getDb())).toEqual(['chirpy_test_named']);
  });

  it('answer when the name is already taken on the connection (42P05): retried unnamed, one log line', async () => {
    const db = await getDb();
    await db.execute(sql.raw('prepare chirpy_test_taken as select 0'));
    const statement = plusOne('chirpy_test_taken');

    expect(await addOne(statement, 1)).toBe(2);
    expect(await addOne(statement, 41)).toBe(42);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('DATABASE_PREPARED_STATEMENTS=false');
    expect(logged[0]).toContain('42P05');
  });

  it('answer when the name has gone from the connection (26000): retried unnamed, one log line', async () => {
    const statement = plusOne('chirpy_test_gone');
    expect(await addOne(statement, 1)).toBe(2);
    await (await getDb()).execute(sql.raw('deallocate chirpy_test_gone'));

    expect(await addOne(statement, 2)).toBe(3);
    expect(await addOne(statement, 3)).toBe(4);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('26000');
  });

  it('does not retry other failures: a statement that fails for its own reason fails once, as it is', async () => {
    const divide = prepareStatement('chirpy_test_divide', () => sql`select 1 / ${sql.placeholder('n')}::int as n`);
    const failure = await divide({ n: 0 }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ cause: { code: '22012' } });
    expect(logged).toEqual([]);
  });
});

describe('DATABASE_PREPARED_STATEMENTS=false', () => {
  it('sends every statement unnamed: nothing is left prepared on the server connection', async () => {
    vi.stubEnv('DATABASE_PREPARED_STATEMENTS', 'false');
    const statement = plusOne('chirpy_test_unnamed');
    expect(await addOne(statement, 1)).toBe(2);
    expect(await addOne(statement, 2)).toBe(3);
    expect(await preparedOnServer(await getDb())).toEqual([]);
    expect(logged).toEqual([]);
  });
});
