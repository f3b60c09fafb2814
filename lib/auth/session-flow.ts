import 'server-only';
import type { User } from '../db/schema';
import type { RequestContext } from '../http/forwarded';
import { type Credentials, createUser, verifyCredentials } from '../users';
import type { SessionCookieTokens, SessionCookieValues } from './cookies';
import {
  createSession,
  type RefreshFailure,
  revokeSession,
  revokeSessionById,
  rotateRefreshToken,
  type SessionClient,
} from './sessions';
import { type IssuedToken, issueAccessToken, issueSessionAccessToken, verifyAccessToken } from './tokens';

/** The session flows: signing in or up (a token pair), renewing a browser session, signing out. */

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
  const { sessionId, refreshToken } = await createSession(user.id, client, context);
  const access =
    client === 'browser' ? await issueSessionAccessToken(user.id, sessionId) : await issueAccessToken(user.id);
  return { user, sessionId, tokens: { access, refresh: refreshToken } };
}

export async function signIn(
  credentials: Credentials,
  client: SessionClient,
  context: RequestContext,
): Promise<({ ok: true } & StartedSession) | { ok: false }> {
  const user = await verifyCredentials(credentials.email, credentials.password);
  if (!user) return { ok: false };
  return { ok: true, ...(await startSession(user, client, context)) };
}

export type Renewal = { ok: true; cookies: SessionCookieValues } | { ok: false; reason: RefreshFailure };

/** Rotates the refresh cookie's token and issues a fresh access token for the same session. */
export async function renewBrowserSession(refreshToken: string, context: RequestContext): Promise<Renewal> {
  const rotation = await rotateRefreshToken(refreshToken, context);
  if (!rotation.ok) return rotation;
  const access = await issueSessionAccessToken(rotation.userId, rotation.sessionId);
  return { ok: true, cookies: { access, refresh: rotation.refreshToken } };
}

export type SignUp = ({ ok: true } & StartedSession) | { ok: false; reason: 'email_taken' };

/** Creates the account and signs it in, in one step: what the sign-up form does. */
export async function signUp(
  credentials: Credentials,
  client: SessionClient,
  context: RequestContext,
): Promise<SignUp> {
  const created = await createUser(credentials);
  if (!created.ok) return created;
  return { ok: true, ...(await startSession(created.user, client, context)) };
}

/**
 * A browser's sign-out: ends the session its cookies name, whatever their state. The refresh
 * cookie names it, and so does the access cookie's `sid` (all that is left once the refresh
 * cookie is gone). Unknown, expired or already revoked tokens end nothing and are no error:
 * signing out is always safe to repeat.
 */
export async function signOut(cookies: SessionCookieTokens): Promise<void> {
  if (cookies.refresh !== undefined) await revokeSession(cookies.refresh);
  if (cookies.access === undefined) return;
  const access = await verifyAccessToken(cookies.access);
  if (access.ok && access.sessionId !== null) await revokeSessionById(access.sessionId);
}
