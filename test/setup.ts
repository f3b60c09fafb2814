import { sql } from 'drizzle-orm';
import { beforeAll, beforeEach, inject } from 'vitest';
import { forgetSettings } from '../lib/config';
import { getDb } from '../lib/db/client';
import { resetOutageLog } from '../lib/db/fault-log';
import { checkEveryAnswerWith, holdToDeclaration } from '../lib/http/declare-route';
import { dropLeftoverTasks, installAfterResponseForTests } from './after-response';
import { routeVercelPostgresThrough } from './neon-config';

/**
 * Points this worker at the run's database (before anything opens it), then empties it before
 * every test, so each test starts from nothing and can assert exact rows.
 */
const testDriver = inject('testDriver');

// Every answer a declared route gives in the suites is held to its declaration.
checkEveryAnswerWith(holdToDeclaration);
// Mails and other work after the answer: after() inside a request scope, kept for the test outside one.
installAfterResponseForTests();

beforeAll(async () => {
  if (testDriver === 'pg') {
    process.env.DATABASE_URL = inject('databaseUrl');
  } else if (testDriver === 'vercel-postgres') {
    process.env.VERCEL = '1';
    process.env.POSTGRES_URL = inject('databaseUrl');
    delete process.env.DATABASE_URL;
    await routeVercelPostgresThrough(inject('relayAddress'));
  } else {
    delete process.env.DATABASE_URL;
  }
});

beforeEach(async () => {
  // Each test's first database failure is logged in full, whatever the test before it did.
  resetOutageLog();
  dropLeftoverTasks();
  forgetSettings();
  const db = await getDb();
  await db.execute(
    sql`TRUNCATE users, refresh_tokens, chirps, rate_limits, auth_events, password_reset_tokens, email_tokens, totp_factors, recovery_codes, sign_in_challenges, passkeys, webauthn_challenges CASCADE`,
  );
});
