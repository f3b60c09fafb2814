import 'server-only';
import { z } from 'zod';
import { recordAuthEvent, recordAuthEvents } from '../audit';
import { isUniqueViolation } from '../db/errors';
import type { User } from '../db/schema';
import type { RequestContext } from '../http/request-context';
import { addressSubject, enforceRateLimit, type RateLimited, refundRateLimit } from '../rate-limit';
import { coded } from '../rule-codes';
import { emailSchema, findUserByEmail, findUserById, insertUser, type UserChanges, writeCredentials } from '../users';
import { announceEmailChange, isEmailVerificationRequired, requestEmailChange } from './email-verification';
import { emailAtAddressSubject, emailSubject } from './limit-subjects';
import { fitsBcrypt, hashPassword, passwordSchema, verifyAgainstDummy, verifyPassword } from './password';
import { discardPasswordReset } from './password-reset';
import { revokeUserSessions } from './sessions';

/**
 * Credentials: registering them, checking them, changing them. Built on lib/users.ts (records
 * with the hash already made) and lib/auth/sessions.ts (a change ends the user's other sessions).
 * Every attempt to check a password counts against the sign-in rate limits, whichever form or
 * route it comes from.
 */

/** Sign-up and account changes: the password policy applies. */
export const credentialsSchema = z.object({ email: emailSchema, password: passwordSchema });

/**
 * Login: the policy is not re-checked (it may have changed since the account was made), but a
 * password bcrypt would truncate is refused rather than compared on its first 72 bytes.
 */
const presentedPasswordSchema = z
  .string({ error: 'password must be a string' })
  .min(1, 'password is required')
  .refine(fitsBcrypt, coded('password_too_long'));

export const loginSchema = z.object({ email: emailSchema, password: presentedPasswordSchema });

export type Credentials = z.infer<typeof credentialsSchema>;

/**
 * The account page's forms: the new value. What vouches for it (the current password, or a
 * passkey) is the declared action's step-up (lib/declared-action.ts), read by currentPasswordSchema.
 */
export const emailChangeSchema = z.object({ email: emailSchema });
export const passwordChangeSchema = z.object({ password: passwordSchema });
export const currentPasswordSchema = z.object({ current_password: presentedPasswordSchema });

/**
 * `PUT /api/users`: the contract's `{email, password}`, and the current password a browser
 * session must add (an API client may leave it out; it is read only for a browser session).
 */
export const credentialsChangeSchema = credentialsSchema.extend({
  current_password: z.string({ error: 'current_password must be a string' }).nullish(),
});

export type Registration = { ok: true; user: User } | { ok: false; reason: 'email_taken' } | RateLimited;

/** Sign-up. Every attempt counts against the address's sign-up limit, a taken email too. */
export async function registerUser(credentials: Credentials, context: RequestContext): Promise<Registration> {
  const admitted = await enforceRateLimit('signup_ip', addressSubject(context), { userId: null, context });
  if (!admitted.ok) return admitted;
  const created = await insertUser(credentials.email, await hashPassword(credentials.password));
  if (created.ok) await recordAuthEvent({ type: 'signed_up', userId: created.user.id, context });
  return created;
}

/**
 * Counts a password attempt against the sign-in limits, before any bcrypt work: per address
 * first, so an attacker spraying many accounts from one place is stopped before any account's
 * own limit is spent; then per account and address, so a guesser elsewhere never locks the owner
 * out; then per account from anywhere, the ceiling on failures for guesses spread over many
 * addresses. That one counts every attempt up front (parallel guesses cannot slip past it while
 * their hashes run) and a right password takes its count back (refundPasswordAttempt): only
 * failures stay. A completed password reset lifts it, so it cannot lock the owner out.
 */
export async function admitPasswordAttempt(
  email: string,
  context: RequestContext,
): Promise<{ ok: true } | RateLimited> {
  const perAddress = await enforceRateLimit('login_ip', addressSubject(context), { userId: null, context });
  if (!perAddress.ok) return perAddress;
  const owner = async () => (await findUserByEmail(email))?.id ?? null;
  const witness = { userId: owner, context };
  const perAccountHere = await enforceRateLimit('login_account', emailAtAddressSubject(email, context), witness);
  if (!perAccountHere.ok) return perAccountHere;
  return enforceRateLimit('login_account_failures', emailSubject(email), witness);
}

/** A password that proved right: its attempt leaves the account's ceiling on failures. */
export async function refundPasswordAttempt(email: string): Promise<void> {
  await refundRateLimit('login_account_failures', emailSubject(email));
}

export type CredentialsCheck = { ok: true; user: User } | { ok: false; userId: string | null };

/**
 * Unknown email and wrong password take the same time and give the same answer to the client.
 * The result still says whose account it was (`userId`), for the audit log. `signal`: the
 * request's; if it aborts while the check waits for bcrypt, this rejects with the abort.
 */
export async function verifyCredentials(
  email: string,
  password: string,
  signal?: AbortSignal,
): Promise<CredentialsCheck> {
  const user = await findUserByEmail(email);
  if (!user) {
    // Hash the password anyway, so an unknown email costs the same time as a wrong password.
    await verifyAgainstDummy(password, signal);
    return { ok: false, userId: null };
  }
  const matches = await verifyPassword(password, user.hashedPassword, signal);
  return matches ? { ok: true, user } : { ok: false, userId: user.id };
}

/** `pendingEmail`: the new address waits for its confirmation link (REQUIRE_EMAIL_VERIFICATION). */
export type AccountChange =
  | { ok: true; user: User; pendingEmail?: string }
  | { ok: false; reason: 'wrong_password' | 'current_password_required' | 'not_found' | 'email_taken' }
  | RateLimited;

/**
 * What vouches for a credentials change. The account page, and `PUT /api/users` from a browser,
 * give the current password: session cookies alone may be a stolen copy, and the change would
 * make the theft permanent. An API client's access token is the contract's proof on its own.
 */
export type ChangeProof = { by: 'current_password'; password: string | null | undefined } | { by: 'access_token' };

export type StepUp = { ok: true; user: User } | Extract<AccountChange, { ok: false }>;

/**
 * The step-up before any credentials change: the user exists, the sign-in limits admit the
 * attempt (a change is counted as a password attempt whatever its proof, so it is held to the
 * same limits as guessing), and the proof holds. A missing current password is refused before
 * anything is counted: there is nothing to check. The user it answers with is what a change
 * starts from (changeEmail, changePassword).
 */
export async function stepUpForChange(userId: string, proof: ChangeProof, context: RequestContext): Promise<StepUp> {
  // null: the access token vouches; '' (or nothing sent): a password was due and is missing.
  const password = proof.by === 'current_password' ? (proof.password ?? '') : null;
  if (password === '') return { ok: false, reason: 'current_password_required' };
  const user = await findUserById(userId);
  if (!user) return { ok: false, reason: 'not_found' };
  const admitted = await admitPasswordAttempt(user.email, context);
  if (!admitted.ok) return admitted;
  // A bearer change checks no password, so it is no failed guess either.
  if (password === null) {
    await refundPasswordAttempt(user.email);
    return { ok: true, user };
  }
  // Over 72 bytes it cannot be the password (the policy never allowed one), whatever bcrypt says.
  if (fitsBcrypt(password) && (await verifyPassword(password, user.hashedPassword))) {
    await refundPasswordAttempt(user.email);
    return { ok: true, user };
  }
  // Someone at an unlocked computer guessing the password shows in the owner's activity list.
  await recordAuthEvent({ type: 'sign_in_failed', userId: user.id, detail: 'current_password', context });
  return { ok: false, reason: 'wrong_password' };
}

/**
 * A new email answers 409 when someone has it: a way to learn who has an account. So, like a
 * sign-up, every change to a new email counts against the address's sign-up limit.
 */
async function admitNewEmail(user: User, email: string, context: RequestContext): Promise<{ ok: true } | RateLimited> {
  if (email === user.email) return { ok: true };
  return enforceRateLimit('signup_ip', addressSubject(context), { userId: user.id, context });
}

type CredentialsEvent = 'email_changed' | 'password_changed';
type CredentialsWrite = { ok: true; user: User } | { ok: false; reason: 'email_taken' | 'not_found' };

/**
 * Writes the change and ends every other session of the user, in one transaction: a credentials
 * change is what someone does who fears their account is in other hands. The current session
 * stays. A reset link still waiting in an inbox stops working too. The change is recorded once
 * it has committed.
 */
async function applyChange(
  userId: string,
  changes: UserChanges,
  events: CredentialsEvent[],
  currentSessionId: string | null,
  context: RequestContext,
): Promise<CredentialsWrite> {
  let user: User | null;
  try {
    user = await revokeUserSessions(userId, currentSessionId, 'credentials_changed', context, async (tx) => {
      const written = await writeCredentials(tx, userId, changes);
      if (written) await discardPasswordReset(userId, tx);
      return written;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'email_taken' };
    throw error;
  }
  if (!user) return { ok: false, reason: 'not_found' };
  await recordAuthEvents(events.map((type) => ({ type, userId, sessionId: currentSessionId, context })));
  return { ok: true, user };
}

/**
 * `account`: as stepUpForChange answered, for the owner who proved it is them. `newEmail`: as
 * emailChangeSchema leaves it (trimmed, lower-cased, valid); the address one already has changes nothing.
 */
export async function changeEmail(
  account: User,
  newEmail: string,
  currentSessionId: string | null,
  context: RequestContext,
): Promise<AccountChange> {
  if (account.email === newEmail) return { ok: true, user: account };
  const probe = await admitNewEmail(account, newEmail, context);
  if (!probe.ok) return probe;
  // Pending until the new address confirms, or at once with a notice to the old one.
  if (isEmailVerificationRequired()) return requestEmailChange(account, newEmail, context);
  const changed = await applyChange(account.id, { email: newEmail }, ['email_changed'], currentSessionId, context);
  if (changed.ok) announceEmailChange(account.email, changed.user, context);
  return changed;
}

/** `account`: as stepUpForChange answered. `newPassword`: as passwordChangeSchema leaves it (the policy checked). */
export async function changePassword(
  account: User,
  newPassword: string,
  currentSessionId: string | null,
  context: RequestContext,
): Promise<AccountChange> {
  const hashedPassword = await hashPassword(newPassword);
  return applyChange(account.id, { hashedPassword }, ['password_changed'], currentSessionId, context);
}

/**
 * `PUT /api/users`: both credentials at once, with the same checks and consequences as the
 * account page's changes. `proof` says what vouches for it (see ChangeProof).
 */
export async function replaceCredentials(
  userId: string,
  credentials: Credentials,
  proof: ChangeProof,
  currentSessionId: string | null,
  context: RequestContext,
): Promise<AccountChange> {
  const admitted = await stepUpForChange(userId, proof, context);
  if (!admitted.ok) return admitted;
  const probe = await admitNewEmail(admitted.user, credentials.email, context);
  if (!probe.ok) return probe;
  const hashedPassword = await hashPassword(credentials.password);
  const newEmail = admitted.user.email === credentials.email ? null : credentials.email;
  // The password changes now; a new address waits for its link when that is required.
  if (newEmail !== null && isEmailVerificationRequired()) {
    const changed = await applyChange(userId, { hashedPassword }, ['password_changed'], currentSessionId, context);
    return changed.ok ? requestEmailChange(changed.user, newEmail, context) : changed;
  }
  const events: CredentialsEvent[] = newEmail === null ? [] : ['email_changed'];
  const changes = { email: credentials.email, hashedPassword };
  const changed = await applyChange(userId, changes, [...events, 'password_changed'], currentSessionId, context);
  if (changed.ok && newEmail !== null) announceEmailChange(admitted.user.email, changed.user, context);
  return changed;
}
