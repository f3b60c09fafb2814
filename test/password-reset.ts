import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';
import { hashResetToken, requestPasswordReset } from '../lib/auth/password-reset';
import { getDb } from '../lib/db/client';
import { type PasswordResetToken, passwordResetTokens } from '../lib/db/schema';
import type { RequestContext } from '../lib/http/request-context';
import { type CapturedMail, type MailCatcher, startMailCatcher } from './mail-catcher';

/** Password resets seen from the inbox and the database, for the reset tests. */

export const APP_URL = 'https://chirpy.example.com';

/**
 * One SMTP server for the test file, pointed at by SMTP_URL (and APP_URL set) before each test;
 * the suite's environment comes back after each (vitest's unstubEnvs).
 */
export function mailCatcherForThisFile(): { catcher: () => MailCatcher } {
  let catcher: MailCatcher | undefined;
  beforeAll(async () => {
    catcher = await startMailCatcher();
  });
  beforeEach(() => {
    if (!catcher) throw new Error('the mail catcher did not start');
    catcher.mails.length = 0;
    catcher.refused.length = 0;
    catcher.refuseMessages(false);
    vi.stubEnv('SMTP_URL', catcher.url);
    vi.stubEnv('MAIL_FROM', 'Chirpy <no-reply@chirpy.example.com>');
    vi.stubEnv('APP_URL', APP_URL);
  });
  afterAll(async () => {
    await catcher?.close();
  });
  return {
    catcher: () => {
      if (!catcher) throw new Error('the mail catcher did not start');
      return catcher;
    },
  };
}

const LINK = /https?:\/\/[^\s"<>]+\/reset-password\?token=([0-9a-f]{64})/;

/** The reset link a mail's text carries. */
export function linkIn(mail: CapturedMail): string {
  const link = LINK.exec(mail.text)?.[0];
  if (link === undefined) throw new Error('the mail holds no reset link');
  return link;
}

/** The token of the reset link a mail carries. */
export function tokenIn(mail: CapturedMail): string {
  const token = LINK.exec(mail.text)?.[1];
  if (token === undefined) throw new Error('the mail holds no reset link');
  return token;
}

/** Asks for a reset the way the routes do, sends the mail as after() would, and reads its token. */
export async function mailedToken(catcher: MailCatcher, email: string, context: RequestContext): Promise<string> {
  const before = catcher.mails.length;
  const outcome = await requestPasswordReset(email, APP_URL, context);
  if (!outcome.ok) throw new Error('the reset request was rate limited');
  await outcome.deliver();
  return tokenIn(await catcher.mail(before));
}

/** The stored row of a token, found the way the app finds it: by the token's hash. */
export async function resetTokenRow(token: string): Promise<PasswordResetToken | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(passwordResetTokens)
    .where(eq(passwordResetTokens.tokenHash, hashResetToken(token)));
  return row;
}

export async function resetTokenRows(): Promise<PasswordResetToken[]> {
  const db = await getDb();
  return db.select().from(passwordResetTokens);
}

/** Moves a token's expiry `seconds` into the past, as if that much time had gone by since it ran out. */
export async function expireResetToken(token: string, secondsAgo = 1): Promise<void> {
  const db = await getDb();
  await db
    .update(passwordResetTokens)
    .set({ expiresAt: sql`now() - make_interval(secs => ${secondsAgo})` })
    .where(eq(passwordResetTokens.tokenHash, hashResetToken(token)));
}
