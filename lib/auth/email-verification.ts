import 'server-only';
import { and, eq, or, sql } from 'drizzle-orm';
import { headers } from 'next/headers';
import { z } from 'zod';
import { recordAuthEvent } from '../audit';
import { getAppOrigin, getSettings } from '../config';
import { type Database, getDb } from '../db/client';
import { isUniqueViolation } from '../db/errors';
import { logFault } from '../db/fault-log';
import { type User, users } from '../db/schema';
import { runAfterResponse } from '../http/after-response';
import { publicOrigin, type RequestContext } from '../http/request-context';
import { sendMail } from '../mail';
import { addressSubject, enforceRateLimit, type RateLimited } from '../rate-limit';
import { emailSchema, findUserByEmail } from '../users';
import { composeChangeNotice, composeConfirmationMail } from './address-mail';
import {
  emailTokenLink,
  findUsableEmailToken,
  issueEmailToken,
  spendEmailToken,
  spendLaterEmailTokens,
} from './email-tokens';
import { emailSubject } from './limit-subjects';
import { discardPasswordReset } from './password-reset';
import { lockUserSessions } from './session-lock';
import { revokeUserSessions } from './sessions';

/**
 * Verified addresses: the confirmation link mailed at sign-up and for a new address, the sign-in
 * refusal while REQUIRE_EMAIL_VERIFICATION is on, a change that waits for the new address's
 * link, and the "this wasn't me" link that takes an address back.
 *
 * Every mail goes out after the response (lib/http/after-response.ts), and so does every lookup
 * a stranger's request would cause: asking for a link answers the same, after the same work (the
 * limits' counters), whether or not the address has an account.
 */

export const confirmationRequestSchema = z.object({ email: emailSchema });

/** 400 for a token that is not even a string; any string is checked (and refused alike) later. */
export const emailLinkSchema = z.object({ token: z.string({ error: 'token must be a string' }) });

export function isEmailVerificationRequired(): boolean {
  return getSettings().REQUIRE_EMAIL_VERIFICATION;
}

// Links point at APP_URL; only `next dev` (no APP_URL) takes the request's host, still readable
// after the response in a route handler or action.
async function linkOrigin(): Promise<string> {
  return getAppOrigin() ?? publicOrigin(await headers());
}

/** Issues a confirmation link for `email` (the account's address or its pending one) and mails it. Never throws. */
async function mailConfirmation(userId: string, email: string, change: boolean, context: RequestContext) {
  try {
    const token = await issueEmailToken(userId, 'verify', email);
    if (token === null) return;
    const link = emailTokenLink('verify', await linkOrigin(), token);
    const sent = await sendMail(
      composeConfirmationMail(email, link, getSettings().EMAIL_VERIFICATION_TTL_HOURS, change),
    );
    if (!sent.ok) {
      console.error(`confirmation mail for user ${userId} not sent: ${sent.failure}`);
      return;
    }
    await recordAuthEvent({ type: 'email_verification_sent', userId, detail: change ? 'new_address' : null, context });
  } catch (error) {
    // after() would log the error's message, and a query's message quotes its parameters.
    logFault('email confirmation mail', error);
  }
}

/** The notice to an address the account is leaving, with its "this wasn't me" link. Never throws. */
async function mailChangeNotice(userId: string, oldEmail: string, newEmail: string) {
  try {
    const token = await issueEmailToken(userId, 'revert', oldEmail);
    if (token === null) return;
    const link = emailTokenLink('revert', await linkOrigin(), token);
    const sent = await sendMail(composeChangeNotice(oldEmail, newEmail, link, getSettings().EMAIL_REVERT_TTL_DAYS));
    if (!sent.ok) console.error(`address change notice for user ${userId} not sent: ${sent.failure}`);
  } catch (error) {
    logFault('address change notice', error);
  }
}

/** A new account: its confirmation link, mailed after the response. */
export function confirmAddressLater(user: User, context: RequestContext): void {
  runAfterResponse(() => mailConfirmation(user.id, user.email, false, context));
}

/**
 * "Send the link again" from someone who cannot sign in: the same answer and the same work before
 * the response for any address (the limits count every address alike, and name no account).
 * After it, an account whose address is unconfirmed gets a new link; any other address, nothing.
 */
export async function requestConfirmationLink(
  email: string,
  context: RequestContext,
): Promise<{ ok: true } | RateLimited> {
  const perAddress = await enforceRateLimit('verify_ip', addressSubject(context), { userId: null, context });
  if (!perAddress.ok) return perAddress;
  const perEmail = await enforceRateLimit('verify_email', emailSubject(email), { userId: null, context });
  if (!perEmail.ok) return perEmail;
  runAfterResponse(async () => {
    try {
      const user = await findUserByEmail(email);
      if (user !== null && user.emailVerifiedAt === null) await mailConfirmation(user.id, user.email, false, context);
    } catch (error) {
      logFault('confirmation link request', error);
    }
  });
  return { ok: true };
}

export type ConfirmationResend = { ok: true; email: string } | { ok: false; reason: 'already_verified' } | RateLimited;

/** The signed-in owner asks again: a link for the pending address if one waits, else for an unconfirmed address. */
export async function resendConfirmation(user: User, context: RequestContext): Promise<ConfirmationResend> {
  const target = user.pendingEmail ?? (user.emailVerifiedAt === null ? user.email : null);
  if (target === null) return { ok: false, reason: 'already_verified' };
  const admitted = await enforceRateLimit('verify_email', emailSubject(target), { userId: user.id, context });
  if (!admitted.ok) return admitted;
  runAfterResponse(() => mailConfirmation(user.id, target, user.pendingEmail !== null, context));
  return { ok: true, email: target };
}

export type EmailUnconfirmed = { ok: false; reason: 'email_unverified' };

/**
 * A sign-in that proved who the person is, refused because the address is unconfirmed while
 * REQUIRE_EMAIL_VERIFICATION is on (lib/auth/sign-in.ts decides that). The owner sees it in
 * Recent activity, and a new link is mailed, within the per-email limit.
 */
export async function refuseUnconfirmedSignIn(user: User, context: RequestContext): Promise<EmailUnconfirmed> {
  await recordAuthEvent({ type: 'sign_in_failed', userId: user.id, detail: 'email_unverified', context });
  const admitted = await enforceRateLimit('verify_email', emailSubject(user.email), { userId: user.id, context });
  if (admitted.ok) confirmAddressLater(user, context);
  return { ok: false, reason: 'email_unverified' };
}

/**
 * A change made at once (REQUIRE_EMAIL_VERIFICATION off): the new address gets its confirmation
 * link, the old one the notice with its "this wasn't me" link.
 */
export function announceEmailChange(oldEmail: string, user: User, context: RequestContext): void {
  runAfterResponse(async () => {
    await mailConfirmation(user.id, user.email, true, context);
    await mailChangeNotice(user.id, oldEmail, user.email);
  });
}

export type PendingChange = { ok: true; user: User; pendingEmail: string };

/**
 * A change that waits (REQUIRE_EMAIL_VERIFICATION on): the new address is stored as pending, and
 * the answer is the same whether or not another account has it. After the response the new
 * address gets its link (unless another account has it: then nothing, and the change can never
 * complete) and the old one the notice.
 */
export async function requestEmailChange(
  user: User,
  newEmail: string,
  context: RequestContext,
): Promise<PendingChange> {
  const db = await getDb();
  const [updated] = await db
    .update(users)
    .set({ pendingEmail: newEmail, updatedAt: sql`now()` })
    .where(eq(users.id, user.id))
    .returning();
  await recordAuthEvent({ type: 'email_change_requested', userId: user.id, context });
  runAfterResponse(async () => {
    try {
      if ((await findUserByEmail(newEmail)) === null) await mailConfirmation(user.id, newEmail, true, context);
    } catch (error) {
      logFault('address change confirmation', error);
    }
    await mailChangeNotice(user.id, user.email, newEmail);
  });
  return { ok: true, user: updated ?? user, pendingEmail: newEmail };
}

export type AddressConfirmation =
  | { ok: true; user: User; changed: boolean }
  | { ok: false; reason: 'invalid_token' | 'email_taken' }
  | RateLimited;

const INVALID_TOKEN = { ok: false, reason: 'invalid_token' } as const;
const EMAIL_TAKEN = { ok: false, reason: 'email_taken' } as const;

/**
 * Sets `email` confirmed: the account's address, or its pending one, which then becomes the
 * address (the credential version moves on, and a reset link still in the old inbox stops
 * working). Null when the link names neither any more.
 */
async function markConfirmed(tx: Database, userId: string, email: string): Promise<User | null> {
  const same = sql`${users.email} = ${email}`;
  const [user] = await tx
    .update(users)
    .set({
      email,
      emailVerifiedAt: sql`case when ${same} then coalesce(${users.emailVerifiedAt}, now()) else now() end`,
      pendingEmail: sql`case when ${same} then ${users.pendingEmail} else null end`,
      credentialVersion: sql`${users.credentialVersion} + case when ${same} then 0 else 1 end`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(users.id, userId), or(eq(users.email, email), eq(users.pendingEmail, email))))
    .returning();
  return user ?? null;
}

/**
 * The confirmation link's second half (the page's button, or the API). Used, expired, replaced
 * and unknown links are one refusal that changes nothing; a pending address another account took
 * meanwhile is `email_taken`, and the change stays pending.
 */
export async function confirmEmail(token: string, context: RequestContext): Promise<AddressConfirmation> {
  const admitted = await enforceRateLimit('verify_confirm', addressSubject(context), { userId: null, context });
  if (!admitted.ok) return admitted;
  const found = await findUsableEmailToken(token, 'verify');
  if (found === null) return INVALID_TOKEN;
  const db = await getDb();
  let confirmed: { user: User; changed: boolean } | null;
  try {
    confirmed = await db.transaction(async (tx) => {
      await lockUserSessions(tx, found.userId);
      const [before] = await tx.select({ email: users.email }).from(users).where(eq(users.id, found.userId));
      if (!before || !(await spendEmailToken(tx, found))) return null;
      const user = await markConfirmed(tx, found.userId, found.email);
      if (user === null) return null;
      const changed = before.email !== user.email;
      if (changed) await discardPasswordReset(user.id, tx);
      return { user, changed };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return EMAIL_TAKEN;
    throw error;
  }
  if (confirmed === null) return INVALID_TOKEN;
  const userId = confirmed.user.id;
  if (confirmed.changed) await recordAuthEvent({ type: 'email_changed', userId, context });
  await recordAuthEvent({ type: 'email_verified', userId, context });
  return { ok: true, ...confirmed };
}

/** Whether a link can still be used: its page asks before showing the button (a read: a mail scanner spends nothing). */
export async function isEmailLinkUsable(token: string, purpose: 'verify' | 'revert'): Promise<boolean> {
  return (await findUsableEmailToken(token, purpose)) !== null;
}

export type AddressRestore =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid_token' | 'email_taken' }
  | RateLimited;

/**
 * "This wasn't me": the address the link was mailed to becomes the account's address again,
 * confirmed (following the link proved the inbox); a pending change is cancelled; every session
 * of the account ends, in the same transaction. A reset link in the other inbox stops working.
 */
export async function revertEmailChange(token: string, context: RequestContext): Promise<AddressRestore> {
  const admitted = await enforceRateLimit('verify_confirm', addressSubject(context), { userId: null, context });
  if (!admitted.ok) return admitted;
  const found = await findUsableEmailToken(token, 'revert');
  if (found === null) return INVALID_TOKEN;
  let user: User | null;
  try {
    user = await revokeUserSessions(found.userId, null, 'credentials_changed', context, async (tx) => {
      if (!(await spendEmailToken(tx, found))) return null;
      await spendLaterEmailTokens(tx, found);
      const [restored] = await tx
        .update(users)
        .set({
          email: found.email,
          emailVerifiedAt: sql`now()`,
          pendingEmail: null,
          credentialVersion: sql`${users.credentialVersion} + 1`,
          updatedAt: sql`now()`,
        })
        .where(eq(users.id, found.userId))
        .returning();
      if (restored) await discardPasswordReset(restored.id, tx);
      return restored ?? null;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return EMAIL_TAKEN;
    throw error;
  }
  if (user === null) return INVALID_TOKEN;
  await recordAuthEvent({ type: 'email_change_reverted', userId: user.id, context });
  return { ok: true, user };
}
