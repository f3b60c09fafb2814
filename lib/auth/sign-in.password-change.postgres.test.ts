import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { POST as login } from '@/app/api/login/route';
import { MESSAGES } from '@/lib/messages';
import { PASSWORD, refreshTokenRows, signUp } from '@/test/fixtures';
import { expectError, makeRequest } from '@/test/http';
import { hashPassword } from './password';

/**
 * A sign-in's session write meeting a password change that has not committed yet, on real
 * PostgreSQL, where the two run on separate connections at the same time. The change holds the
 * user's row; the sign-in has checked the old password (the committed one) and comes to write its
 * session. Runs with DATABASE_URL (CI's PostgreSQL step).
 */

/** Waits until another connection is blocked on a lock while writing a refresh token. */
async function untilAnInsertWaits(observer: Client): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    // Inside a transaction pg_stat_activity is read once and then kept: ask for a fresh look.
    await observer.query('select pg_stat_clear_snapshot()');
    const { rows } = await observer.query<{ waiting: string }>(
      `select count(*) as waiting from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'
         and query ilike '%insert into refresh_tokens%'`,
    );
    if (Number(rows[0]?.waiting) > 0) return;
    if (Date.now() > deadline) throw new Error('no session insert came to wait for the change within 10 s');
    await sleep(20);
  }
}

describe('a sign-in meeting a password change in flight', () => {
  it('waits for the change, then writes no session: 401 like a wrong password', async () => {
    const user = await signUp();
    const change = new Client({ connectionString: inject('databaseUrl') });
    await change.connect();
    try {
      await change.query('begin');
      // What a change writes (lib/users.ts writeCredentials), not committed yet.
      await change.query(
        `update users set hashed_password = $2, credential_version = credential_version + 1, updated_at = now()
         where id = $1`,
        [user.id, await hashPassword('the owner’s new passphrase')],
      );
      const signingIn = login(makeRequest('POST', '/api/login', { json: { email: user.email, password: PASSWORD } }));
      await untilAnInsertWaits(change);
      await change.query('commit');

      expect(await expectError(await signingIn, 401)).toBe(MESSAGES.incorrect_credentials);
      expect(await refreshTokenRows(user.id)).toEqual([]);
    } finally {
      await change.end();
    }
  });
});
