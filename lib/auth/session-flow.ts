import 'server-only';
import { recordAuthEvent } from '../audit';
import type { User } from '../db/schema';
import type { RequestContext } from '../http/request-context';
import type { RateLimited } from '../rate-limit';
import { validateRefreshToken } from './bearer-refresh';
import type { SessionCookieTokens, SessionCookieValues } from './cookies';
import { type EmailUnconfirmed, isEmailVerificationRequired, refuseUnconfirmedSignIn } from './email-verification';
import {
  admitPasswordAttempt,
  type Credentials,
  refundPasswordAttempt,
  registerUser,
  verifyCredentials,
} from './password-account';
import { resetPassword } from './password-reset';
import type { RefreshFailure, SessionClient } from './session-check';
import { rotateRefreshToken } from './session-rotation';
import { createSession, createSessionIfCurrent, type NewSession, revokeSession, revokeSessionById } from './sessions';
import { type IssuedToken, issueAccessToken, issueSessionAccessToken, verifyAccessToken } from './tokens';

/**
 * The session flows: signing in or up (a token pair), refreshing a bearer access token, renewing a
 * browser session, signing out. The rate limits are checked here, so every entry point (JSON routes, forms,
 * the proxy) is held to them.
 */

export type StartedSession = {
  user: User;
  sessionId: string;
  tokens: { access: IssuedToken; refresh: IssuedToken };
};

export async function startSession(
  user: User,
  client: SessionClient,
  context: RequestContext,
): Promise<StartedSession> {
  return issueTokens(user, await createSession(user.id, client, context), client, context);
}

async function issueTokens(
  user: User,
  { sessionId, refreshToken }: NewSession,
  client: SessionClient,
  context: RequestContext,
): Promise<StartedSession> {
  const access =
    client === 'browser'
      ? await issueSessionAccessToken(user.id, sessionId)
      : await issueAccessToken(user.id, sessionId);
  await recordAuthEvent({ type: 'signed_in', userId: user.id, sessionId, context });
  return { user, sessionId, tokens: { access, refresh: refreshToken } };
}

export type SignInFailure = { ok: false; reason: 'credentials' } | EmailUnconfirmed | RateLimited;

/**
 * The limits are checked before the bcrypt work: a refused guess costs the server nothing much.
 * `signal`: the request's, so a client that hung up leaves the line for bcrypt unserved.
 */
export async function signIn(
  credentials: Credentials,
  client: SessionClient,
  context: RequestContext,
  signal?: AbortSignal,
): Promise<({ ok: true } & StartedSession) | SignInFailure> {
  const admitted = await admitPasswordAttempt(credentials.email, context);
  if (!admitted.ok) return admitted;
  const check = await verifyCredentials(credentials.email, credentials.password, signal);
  // Email verification: with REQUIRE_EMAIL_VERIFICATION an unconfirmed address gets no session.
  const unconfirmed = check.ok ? await refuseUnconfirmedSignIn(check.user, context) : null;
  if (unconfirmed) return unconfirmed;
  // A password changed while this one was being checked is no longer the account's password.
  const session = check.ok ? await createSessionIfCurrent(check.user, client, context) : null;
  if (!check.ok || !session) {
    await recordAuthEvent({ type: 'sign_in_failed', userId: check.ok ? check.user.id : check.userId, context });
    return { ok: false, reason: 'credentials' };
  }
  await refundPasswordAttempt(credentials.email);
  return { ok: true, ...(await issueTokens(check.user, session, client, context)) };
}

export type AccessRefresh =
  | { ok: true; userId: string; sessionId: string; token: IssuedToken }
  | { ok: false; reason: RefreshFailure }
  | RateLimited;

/**
 * A bearer refresh token for a new access token (no rotation). The use is counted per session,
 * and only once the token has proved valid, so strings we never issued leave no rows behind.
 */
export async function refreshAccessToken(refreshToken: string, context: RequestContext): Promise<AccessRefresh> {
  const check = await validateRefreshToken(refreshToken, context);
  if (!check.ok) return check;
  return { ...check, token: await issueAccessToken(check.userId, check.sessionId) };
}

export type Renewal =
  | { ok: true; user: User; sessionId: string; cookies: SessionCookieValues }
  | { ok: false; reason: RefreshFailure }
  | RateLimited;

/**
 * Rotates the refresh cookie's token and issues a fresh access token for the same session.
 * Over the rotation limit nothing rotates and nobody is signed out: the caller answers 429 and
 * the browser's cookies stay as they are.
 */
export async function renewBrowserSession(refreshToken: string, context: RequestContext): Promise<Renewal> {
  const rotation = await rotateRefreshToken(refreshToken, context);
  if (!rotation.ok) return rotation;
  const access = await issueSessionAccessToken(rotation.user.id, rotation.sessionId);
  return {
    ok: true,
    user: rotation.user,
    sessionId: rotation.sessionId,
    cookies: { access, refresh: rotation.refreshToken },
  };
}

export type SignUp =
  | ({ ok: true } & StartedSession)
  | { ok: false; reason: 'email_taken' }
  | EmailUnconfirmed
  | RateLimited;

/** Creates the account and signs it in, in one step: what the sign-up form does. */
export async function signUp(
  credentials: Credentials,
  client: SessionClient,
  context: RequestContext,
): Promise<SignUp> {
  const created = await registerUser(credentials, context);
  if (!created.ok) return created;
  // Email verification: when required, the account gets its session once the mailed link is followed.
  if (isEmailVerificationRequired()) return { ok: false, reason: 'email_unverified' };
  return { ok: true, ...(await startSession(created.user, client, context)) };
}

export type ResetSignIn = ({ ok: true } & StartedSession) | { ok: false; reason: 'invalid_token' } | RateLimited;

/**
 * The reset page: a new password from a mailed link, and this browser signed in with a fresh
 * session. Every earlier session was ended by the reset, so the new one starts after that.
 */
export async function resetPasswordAndSignIn(
  token: string,
  newPassword: string,
  context: RequestContext,
): Promise<ResetSignIn> {
  const reset = await resetPassword(token, newPassword, context);
  if (!reset.ok) return reset;
  return { ok: true, ...(await startSession(reset.user, 'browser', context)) };
}

/**
 * A browser's sign-out: ends the session its cookies name, whatever their state. The refresh
 * cookie names it, and so does the access cookie's `sid` (all that is left once the refresh
 * cookie is gone). Unknown, expired or already revoked tokens end nothing and are no error:
 * signing out is always safe to repeat.
 */
export async function signOut(cookies: SessionCookieTokens, context: RequestContext): Promise<void> {
  if (cookies.refresh !== undefined) await revokeSession(cookies.refresh, context);
  if (cookies.access === undefined) return;
  const access = await verifyAccessToken(cookies.access, 'browser');
  if (access.ok) await revokeSessionById(access.sessionId, context);
}
