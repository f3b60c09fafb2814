import 'server-only';
import type { User } from '../db/schema';
import type { RequestContext } from '../http/request-context';
import type { RateLimited } from '../rate-limit';
import { validateRefreshToken } from './bearer-refresh';
import type { SessionCookieTokens, SessionCookieValues } from './cookies';
import type { RefreshFailure } from './session-check';
import { rotateRefreshToken } from './session-rotation';
import { revokeSession, revokeSessionById } from './sessions';
import { type IssuedToken, issueAccessToken, issueSessionAccessToken, verifyAccessToken } from './tokens';

/**
 * A session's life after it started (lib/auth/sign-in.ts starts it): refreshing a bearer access
 * token, renewing a browser session, signing out. The rate limits are checked here, so every
 * entry point (JSON routes, forms, the proxy) is held to them.
 */

/** Why a refresh token bought nothing: it is not (or no longer) good, or it is used too often. */
type RefreshRefusal = { ok: false; reason: RefreshFailure } | RateLimited;

export type AccessRefresh = { ok: true; userId: string; sessionId: string; token: IssuedToken } | RefreshRefusal;

/**
 * A bearer refresh token for a new access token (no rotation). The use is counted per session,
 * and only once the token has proved valid, so strings we never issued leave no rows behind.
 */
export async function refreshAccessToken(refreshToken: string, context: RequestContext): Promise<AccessRefresh> {
  const check = await validateRefreshToken(refreshToken, context);
  if (!check.ok) return check;
  return { ...check, token: await issueAccessToken(check.userId, check.sessionId) };
}

export type Renewal = { ok: true; user: User; sessionId: string; cookies: SessionCookieValues } | RefreshRefusal;

/**
 * Rotates the refresh cookie's token and issues a fresh access token for the same session.
 * Over the rotation limit nothing rotates and nobody is signed out: the caller answers 429 and
 * the browser's cookies stay as they are.
 */
export async function renewBrowserSession(refreshToken: string, context: RequestContext): Promise<Renewal> {
  const rotation = await rotateRefreshToken(refreshToken, context);
  if (!rotation.ok) return rotation;
  const { user, sessionId } = rotation;
  const access = await issueSessionAccessToken(user.id, sessionId);
  return { ok: true, user, sessionId, cookies: { access, refresh: rotation.refreshToken } };
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
