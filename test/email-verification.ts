import { eq, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { hashResetToken } from '../lib/auth/password-reset';
import { getDb } from '../lib/db/client';
import { type EmailToken, emailTokens } from '../lib/db/schema';
import { runLeftoverTasks } from './after-response';
import type { CapturedMail, MailCatcher } from './mail-catcher';

/** Confirmation and "this wasn't me" links seen from the inbox and the database. */

const LINKS = {
  verify: /https?:\/\/[^\s"<>]+\/verify-email\?token=([0-9a-f]{64})/,
  revert: /https?:\/\/[^\s"<>]+\/revert-email\?token=([0-9a-f]{64})/,
};

export type LinkKind = keyof typeof LINKS;

export function mailsTo(catcher: MailCatcher, email: string): CapturedMail[] {
  return catcher.mails.filter((mail) => mail.to.includes(email));
}

/** Runs the work left for after the response, then reads the token of the latest `kind` link mailed to `email`. */
export async function mailedLinkToken(catcher: MailCatcher, email: string, kind: LinkKind): Promise<string> {
  await runLeftoverTasks();
  const mail = mailsTo(catcher, email).findLast((candidate) => LINKS[kind].test(candidate.text));
  const token = mail === undefined ? undefined : LINKS[kind].exec(mail.text)?.[1];
  expect(token, `a ${kind} link mailed to ${email}`).toBeDefined();
  return token ?? '';
}

export async function emailTokenRow(token: string): Promise<EmailToken | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(emailTokens)
    .where(eq(emailTokens.tokenHash, hashResetToken(token)));
  return row;
}

/** Moves a link's end into the past on the database's clock, which is the one the check reads. */
export async function expireEmailToken(token: string, secondsAgo = 1): Promise<void> {
  const db = await getDb();
  await db
    .update(emailTokens)
    .set({ expiresAt: sql`now() - make_interval(secs => ${secondsAgo})` })
    .where(eq(emailTokens.tokenHash, hashResetToken(token)));
}
