import { sql } from 'drizzle-orm';
import { vi } from 'vitest';
import { getDb } from '../lib/db/client';

/**
 * A database that fails one kind of statement, for the tests of what a fault between two writes
 * leaves behind. A trigger raises on it, on every driver (PGlite, pg, @vercel/postgres), where a
 * cut connection would need a relay. The suite's per-test TRUNCATE does not remove triggers, so
 * the fault lasts exactly as long as `work`.
 */

/**
 * Runs `work` while every revocation of a refresh token fails, as a credentials change's ending
 * of sessions would fail on a lost connection or a failover. Errors logged meanwhile (the routes'
 * 500s) are collected rather than printed.
 */
export async function withFailingRevocations<T>(work: (logged: () => string) => Promise<T>): Promise<T> {
  const db = await getDb();
  await db.execute(sql`
    create or replace function chirpy_test_refuse_revocation() returns trigger language plpgsql as $$
    begin
      raise exception 'injected fault: revoking a refresh token';
    end $$`);
  await db.execute(sql`
    create trigger chirpy_test_refuse_revocation before update on refresh_tokens for each row
    when (old.revoked_at is null and new.revoked_at is not null)
    execute function chirpy_test_refuse_revocation()`);
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
  const logged = () => consoleError.mock.calls.map((call) => call.map(String).join(' ')).join('\n');
  try {
    return await work(logged);
  } finally {
    consoleError.mockRestore();
    await db.execute(sql`drop trigger chirpy_test_refuse_revocation on refresh_tokens`);
    await db.execute(sql`drop function chirpy_test_refuse_revocation()`);
  }
}
