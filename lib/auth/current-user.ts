import 'server-only';
import { cookies, headers } from 'next/headers';
import { type NextRequest, NextResponse } from 'next/server';
import { cache } from 'react';
import type { User } from '../db/schema';
import { readAuthorization } from '../http/authorization';
import { isSecureRequest, requestContext } from '../http/request-context';
import { errorResponse, tooManyRequests } from '../http/responses';
import {
  clearSessionCookies,
  isSecureNextRequest,
  readSessionCookies,
  type SessionCookieValues,
  setSessionCookies,
} from './cookies';
import { breaksCsrfRule, CROSS_SITE_REFUSED } from './csrf';
import { findSessionUser, type SessionClient } from './session-check';
import { type ResolvedSession, resolveBrowserSession } from './session-resolver';
import { type AccessTokenCheck, verifyAccessToken } from './tokens';

/**
 * Who is asking. The proxy's checks are only optimistic; this is the authoritative one, made
 * where data is read: the token must verify, and the session it names (`sid`, which every access
 * token must carry) must be alive and its user's, so sign-out, "sign out everywhere else", a
 * credentials change and reuse detection take effect at once, not when the access token runs out.
 */

export type Authentication =
  | { ok: true; user: User; sessionId: string }
  | { ok: false; status: 401 | 403; error: string }
  | { ok: false; status: 429; error: string; retryAfterSeconds: number };

export type AuthenticationFailure = Extract<Authentication, { ok: false }>;

/** A token that is not ours, or whose session or user is gone. */
export const INVALID_ACCESS_TOKEN: AuthenticationFailure = { ok: false, status: 401, error: 'Invalid access token' };

/**
 * Who a request says it is: its access token, verified (no database work yet), or a session the
 * request renewed on the way, whose user the renewal already read. `confirmClaim` makes it an
 * Authentication; a write can instead carry the session check in its own statement
 * (lib/chirps.ts createChirpInSession), one round trip instead of two.
 */
export type Claim =
  | { ok: true; userId: string; sessionId: string; client: SessionClient; user: User | null }
  | AuthenticationFailure;

/**
 * `client` is the kind of session whose tokens the token's carrier holds: the Authorization header
 * a bearer session's, the cookie a browser session's (an API token found in the cookie was put
 * there by someone else). And a browser session's token never leaves its httpOnly cookie on our
 * doing: sent as a Bearer token, it was lifted from the cookie (by an extension, a proxy log, a
 * copied request), and a Bearer call skips the CSRF rule the cookie is held to, so it is refused
 * (by the session check: a browser session is no bearer session).
 */
function claimOf(check: AccessTokenCheck, client: SessionClient): Claim {
  if (!check.ok) return tokenRefused(check.reason);
  return { ok: true, userId: check.userId, sessionId: check.sessionId, client, user: null };
}

/** The authoritative check of a claim: the session it names is alive, and its user's. */
export async function confirmClaim(claim: Claim): Promise<Authentication> {
  if (!claim.ok) return claim;
  if (claim.user !== null) return { ok: true, user: claim.user, sessionId: claim.sessionId };
  const user = await findSessionUser(claim.sessionId, claim.userId, claim.client);
  return user ? { ok: true, user, sessionId: claim.sessionId } : INVALID_ACCESS_TOKEN;
}

function tokenRefused(reason: 'expired' | 'invalid'): AuthenticationFailure {
  return { ok: false, status: 401, error: reason === 'expired' ? 'Access token expired' : 'Invalid access token' };
}

/** Route handlers: who is asking, checked against the database (see `claimRequest`). */
export async function authenticateRequest(request: NextRequest): Promise<Authentication> {
  return confirmClaim(await claimRequest(request));
}

/**
 * A Bearer access token, or else the browser's session cookies, resolved as everywhere else
 * (lib/auth/session-resolver.ts) but without the database check, which `confirmClaim` or the
 * write itself makes. A browser whose access cookie has run out (or is gone) is renewed here from
 * its refresh cookie, as the proxy renews pages: routing the API through the proxy would cost
 * every API request, even those with nothing to renew. The renewed cookies, or the cleared ones of
 * a session that is over, go on the handler's answer (`withSessionCookies`, applied by
 * lib/auth/route-boundary.ts, so a handler cannot forget them).
 */
export async function claimRequest(request: NextRequest): Promise<Claim> {
  const authorization = readAuthorization(request.headers, 'Bearer');
  if (authorization.present) {
    if (!authorization.ok) {
      return { ok: false, status: 401, error: 'Malformed Authorization header: expected "Bearer <token>"' };
    }
    return claimOf(await verifyAccessToken(authorization.credentials, 'bearer'), 'bearer');
  }
  const secure = isSecureNextRequest(request);
  const cookies = readSessionCookies(request.cookies, secure);
  if (cookies.access === undefined && cookies.refresh === undefined) {
    return { ok: false, status: 401, error: 'Missing access token' };
  }
  // Checked before any renewal: a forged write must not rotate the victim's refresh token.
  if (breaksCsrfRule(request)) return { ok: false, status: 403, error: CROSS_SITE_REFUSED };
  const context = requestContext(request.headers);
  const session = await resolveBrowserSession(cookies, { confirm: false, renew: true, context });
  return claimOfSession(request, secure, session);
}

function claimOfSession(request: NextRequest, secure: boolean, session: ResolvedSession): Claim {
  switch (session.outcome) {
    case 'valid':
      return { ok: true, userId: session.userId, sessionId: session.sessionId, client: 'browser', user: session.user };
    case 'renewed':
      renewedSessions.set(request, { secure, cookies: session.cookies });
      return { ok: true, userId: session.user.id, sessionId: session.sessionId, client: 'browser', user: session.user };
    case 'ended':
      renewedSessions.set(request, { secure, cookies: null });
      return session.reason === 'over'
        ? SESSION_ENDED
        : tokenRefused(session.reason === 'expired' ? 'expired' : 'invalid');
    case 'rate_limited':
      return { ok: false, status: 429, error: 'Too many requests', retryAfterSeconds: session.retryAfterSeconds };
    case 'unavailable':
      // The route's boundary answers an outage (503, Retry-After) and logs it under the route's name.
      throw session.error;
  }
}

const SESSION_ENDED: AuthenticationFailure = { ok: false, status: 401, error: 'Session expired: sign in again' };

/** The answer to a failed authentication: 401 or 403, or 429 with Retry-After. */
export function refusal(failure: AuthenticationFailure): NextResponse {
  return failure.status === 429
    ? tooManyRequests(failure.retryAfterSeconds)
    : errorResponse(failure.status, failure.error);
}

// The requests renewed on their way to a handler, and what their answers must set: the new
// cookies, or (null) cleared ones. Keyed by the request object Next hands the handler.
const renewedSessions = new WeakMap<Request, { secure: boolean; cookies: SessionCookieValues | null }>();

/** Puts a renewal's cookies on the handler's answer, whatever it is (an error answer included). */
export function withSessionCookies(request: unknown, response: Response): Response {
  if (!(request instanceof Request)) return response;
  const renewal = renewedSessions.get(request);
  if (renewal === undefined) return response;
  renewedSessions.delete(request);
  const answer = response instanceof NextResponse ? response : new NextResponse(response.body, response);
  if (renewal.cookies === null) clearSessionCookies(answer, renewal.secure);
  else setSessionCookies(answer, renewal.secure, renewal.cookies);
  return answer;
}

export type CurrentSession = { user: User; sessionId: string };

/**
 * Server components and server actions: the signed-in user of this request and the browser
 * session it belongs to (what the account page marks "This device" and keeps alive through a
 * credentials change), once per render.
 */
export const getCurrentSession = cache(async (): Promise<CurrentSession | null> => {
  const [cookieStore, headerStore] = await Promise.all([cookies(), headers()]);
  const tokens = readSessionCookies(cookieStore, isSecureRequest(headerStore));
  // Pages were renewed by the proxy on the way, and a server component cannot set cookies anyway.
  const session = await resolveBrowserSession(tokens, { confirm: true, renew: false });
  // The page's boundary answers an outage with the 503 page: nobody is shown signed out by it.
  if (session.outcome === 'unavailable') throw session.error;
  if (session.outcome !== 'valid' || session.user === null) return null;
  return { user: session.user, sessionId: session.sessionId };
});

/** Server components: the signed-in user of this request, once per render. */
export const getCurrentUser = cache(async (): Promise<User | null> => (await getCurrentSession())?.user ?? null);
