import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { recordAuthEvent } from '../audit';
import { getSettings } from '../config';
import { type Database, getDb } from '../db/client';
import { logFault } from '../db/fault-log';
import { passwordResetTokens, type User } from '../db/schema';
import type { RequestContext } from '../http/request-context';
import { sendMail } from '../mail';
import { addressSubject, clearRateLimit, enforceRateLimit, type RateLimited } from '../rate-limit';
import { coded } from '../rule-codes';
import { emailSchema, writeCredentials } from '../users';
import { emailSubject } from './limit-subjects';
import { hashPassword, passwordSchema } from './password';
import { composeResetMail } from './reset-mail';
import { revokeUserSessions } from './sessions';

/**
 * Forgotten passwords: a link by mail, then a new password.
 *
 * - The token is 32 random bytes as 64 hex characters (no trailing `-` or `_` for a mail
 *   client's link detection to drop); the database keeps only its SHA-256, one row per user, so a
 *   new request replaces the previous token and the old link stops working.
 * - Asking reveals nothing: a known and an unknown address get the same answer after the same
 *   database work (the limits' counters), and the token is stored and the mail sent after the
 *   response (the caller hands `deliver` to Next's after()), so no answer waits on a write that
 *   only a known address would cause, nor on SMTP.
 * - Using it sets the new password, spends the token and ends every session of the account,
 *   bearer and browser, in one transaction: whoever knew the old password is out.
 */

export const resetRequestSchema = z.object({ email: emailSchema });

/** 400 for a token that is not even a string; any string is checked (and refused alike) later. */
export const resetConfirmSchema = z.object({
  token: z.string({ error: 'token must be a string' }),
  password: passwordSchema,
});

/** The reset page's form: the new password twice, both the same. */
export const resetFormSchema = resetConfirmSchema
  .extend({ password_confirmation: z.string({ error: 'password_confirmation must be a string' }) })
  .refine((form) => form.password === form.password_confirmation, coded('passwords_differ'));

const RESET_TOKEN_FORMAT = /^[0-9a-f]{64}$/;

export function createResetTokenValue(): string {
  return randomBytes(32).toString('hex');
}

export function hashResetToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The link a reset mail carries; `origin` is lib/http/request-context.ts publicOrigin's. */
export function resetLink(origin: string, token: string): string {
  const url = new URL('/reset-password', origin);
  url.searchParams.set('token', token);
  return url.toString();
}

export type ResetRequest = { ok: true; deliver: () => Promise<void> } | RateLimited;

/**
 * The limits come first: per address (one place asking for many accounts' links), then per
 * email (one inbox flooded with mails). Both count unknown addresses like known ones, and name
 * no account in the audit log: looking one up would be work done only for addresses that exist.
 */
async function admitResetRequest(email: string, context: RequestContext): Promise<{ ok: true } | RateLimited> {
  const perAddress = await enforceRateLimit('reset_ip', addressSubject(context), { userId: null, context });
  if (!perAddress.ok) return perAddress;
  return enforceRateLimit('reset_email', emailSubject(email), { userId: null, context });
}

const issuedRows = z.object({ rows: z.array(z.object({ user_id: z.string() })) });

/**
 * Stores a token for the account `email` names, replacing any earlier one, in one statement
 * that runs the same for an address with no account (it then writes nothing). Returns whose
 * token it is, or null.
 */
async function issueResetToken(email: string, tokenHash: string): Promise<string | null> {
  const db = await getDb();
  const ttl = sql`make_interval(mins => ${getSettings().PASSWORD_RESET_TTL_MINUTES})`;
  const result = issuedRows.parse(
    await db.execute(sql`
      insert into password_reset_tokens (user_id, token_hash, created_at, expires_at, used_at)
      select id, ${tokenHash}, now(), now() + ${ttl}, null from users where email = ${email}
      on conflict (user_id) do update set token_hash = excluded.token_hash, created_at = excluded.created_at,
        expires_at = excluded.expires_at, used_at = null
      returning user_id::text as user_id`),
  );
  return result.rows[0]?.user_id ?? null;
}

/**
 * Someone asks for a reset link for `email` (as resetRequestSchema leaves it). Over a limit the
 * caller learns so (the API answers 429; the page keeps its one answer) and nothing is stored or
 * sent. Otherwise `deliver`, which the caller runs after the response, stores the token and sends
 * the mail, or finds no account and does neither; it never throws and never logs the link.
 * Before the response, a known and an unknown address cost the same: the two limits' counters,
 * and nothing that depends on the account (storing a token is a write, and a write waits for the
 * disk: the difference would tell who is registered).
 */
export async function requestPasswordReset(
  email: string,
  linkOrigin: string,
  context: RequestContext,
): Promise<ResetRequest> {
  const admitted = await admitResetRequest(email, context);
  if (!admitted.ok) return admitted;
  return { ok: true, deliver: () => issueAndMail(email, linkOrigin) };
}

async function issueAndMail(email: string, linkOrigin: string): Promise<void> {
  // Made and hashed for unknown addresses too: the same work either way.
  const token = createResetTokenValue();
  let userId: string | null;
  try {
    userId = await issueResetToken(email, hashResetToken(token));
  } catch (error) {
    // after() would log the error's message, and a query's message quotes its parameters.
    logFault('password reset request', error);
    return;
  }
  if (userId !== null) await deliverResetMail(userId, email, resetLink(linkOrigin, token));
}

async function deliverResetMail(userId: string, email: string, link: string): Promise<void> {
  try {
    const sent = await sendMail(composeResetMail(email, link, getSettings().PASSWORD_RESET_TTL_MINUTES));
    if (!sent.ok) console.error(`password reset mail for user ${userId} not sent: ${sent.failure}`);
  } catch (error) {
    // after() would log a thrown error with its message; this line says what failed, nothing more.
    console.error(`password reset mail for user ${userId} not sent: ${error instanceof Error ? error.name : 'error'}`);
  }
}

// The database's clock, as when the token was issued (expires_at = now() + the lifetime).
const usable = () => and(isNull(passwordResetTokens.usedAt), gt(passwordResetTokens.expiresAt, sql`now()`));

/** Whose account a usable link is for: null for a used, expired, replaced, unknown or malformed one. */
async function findResetTokenOwner(token: string): Promise<string | null> {
  if (!RESET_TOKEN_FORMAT.test(token)) return null;
  const db = await getDb();
  const [row] = await db
    .select({ userId: passwordResetTokens.userId })
    .from(passwordResetTokens)
    .where(and(eq(passwordResetTokens.tokenHash, hashResetToken(token)), usable()));
  return row?.userId ?? null;
}

/**
 * Whether a reset link can still be used: the reset page asks before showing its form. A read
 * only, so a mail scanner that follows the link spends nothing.
 */
export async function isResetTokenUsable(token: string): Promise<boolean> {
  return (await findResetTokenOwner(token)) !== null;
}

/**
 * Spends the token and sets the password, in the caller's transaction: a token can never be
 * used without the change, nor twice. Null when a parallel request spent it first.
 */
async function spendResetToken(
  tx: Database,
  tokenHash: string,
  userId: string,
  hashedPassword: string,
): Promise<User | null> {
  const [spent] = await tx
    .update(passwordResetTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(passwordResetTokens.tokenHash, tokenHash), eq(passwordResetTokens.userId, userId), usable()))
    .returning({ userId: passwordResetTokens.userId });
  return spent ? writeCredentials(tx, userId, { hashedPassword }) : null;
}

export type PasswordReset = { ok: true; user: User } | { ok: false; reason: 'invalid_token' } | RateLimited;

const INVALID_TOKEN = { ok: false, reason: 'invalid_token' } as const;

/**
 * The link's second half: a new password (as resetConfirmSchema leaves it) for the token's
 * account. Used, expired, replaced and unknown tokens are one refusal that changes nothing.
 * The token is checked before the password is hashed, so made-up tokens cost no bcrypt work.
 */
export async function resetPassword(
  token: string,
  newPassword: string,
  context: RequestContext,
): Promise<PasswordReset> {
  const admitted = await enforceRateLimit('reset_confirm', addressSubject(context), { userId: null, context });
  if (!admitted.ok) return admitted;
  const owner = await findResetTokenOwner(token);
  if (owner === null) return INVALID_TOKEN;
  const hashedPassword = await hashPassword(newPassword);
  // The new password and the end of every session commit together, or neither does.
  const user = await revokeUserSessions(owner, null, 'password_reset', context, (tx) =>
    spendResetToken(tx, hashResetToken(token), owner, hashedPassword),
  );
  // Spent by a parallel request while the password was being hashed.
  if (!user) return INVALID_TOKEN;
  await recordAuthEvent({ type: 'password_reset', userId: user.id, context });
  // The owner proved they hold the inbox: guesses from elsewhere no longer keep them out.
  await clearRateLimit('login_account_failures', emailSubject(user.email));
  return { ok: true, user };
}

/**
 * After the password or email was changed on the account page or the API, in the change's
 * transaction: a reset link still in an inbox (perhaps one the owner is leaving behind) must not
 * undo the change.
 */
export async function discardPasswordReset(userId: string, tx: Database): Promise<void> {
  await tx
    .delete(passwordResetTokens)
    .where(and(eq(passwordResetTokens.userId, userId), isNull(passwordResetTokens.usedAt)));
}
