import 'server-only';
import { isDatabaseUnavailable } from '../db/errors';
import type { User } from '../db/schema';
import type { RequestContext } from '../http/request-context';
import type { SessionCookieTokens, SessionCookieValues } from './cookies';
import { findSessionUser } from './session-check';
import { renewBrowserSession } from './session-flow';
import { verifyAccessToken } from './tokens';

/**
 * What a browser's session cookies come to, decided in one place for every entry point: the proxy
 * (pages), the route handlers (API calls) and POST /api/refresh renew a session here, and server
 * components read it here. Each caller only turns the outcome into its own answer.
 */

export type ResolvedSession =
  /** The access cookie is good. `user` is set when the session was confirmed in the database. */
  | { outcome: 'valid'; userId: string; sessionId: string; user: User | null }
  /** Renewed from the refresh cookie: the caller must set these cookies. */
  | { outcome: 'renewed'; user: User; sessionId: string; cookies: SessionCookieValues }
  /**
   * No session to go on: the cookies must be cleared where the caller can. `over`: the session
   * has ended (renewal refused, or a confirmed access cookie whose session is gone); otherwise
   * the access cookie's own verdict, with nothing to renew it from.
   */
  | { outcome: 'ended'; reason: 'missing' | 'expired' | 'invalid' | 'over' }
  /** Renewed too often: abuse of a live session, not its end. Nothing rotated; keep the cookies. */
  | { outcome: 'rate_limited'; retryAfterSeconds: number }
  /**
   * The database is unreachable: the session may be fine, so nobody is signed out. Keep the
   * cookies and answer 503; `error` is the fault, for the caller's log or boundary.
   */
  | { outcome: 'unavailable'; error: unknown };

type Confirm = {
  /**
   * Check a valid access cookie's session in the database (authoritative: a session ended by
   * sign-out or reuse detection stops at once), or trust its signature alone (optimistic: no
   * database work, for a gate that runs before every page, whose data reads check again).
   */
  confirm: boolean;
};

/**
 * `renew`: renew from the refresh cookie when the access cookie is missing or no longer good, on
 * behalf of `context` (the session list and the audit log record who renewed). Off where the
 * answer cannot set cookies (a server component).
 */
export type ResolveOptions = Confirm & ({ renew: true; context: RequestContext } | { renew: false });

/**
 * A database outage is an outcome, so no caller can mistake it for the session's end. Any other
 * thrown error is a bug and stays thrown, for the caller's fault boundary.
 */
export async function resolveBrowserSession(
  cookies: SessionCookieTokens,
  options: ResolveOptions,
): Promise<ResolvedSession> {
  try {
    return await resolve(cookies, options);
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    return { outcome: 'unavailable', error };
  }
}

async function resolve({ access, refresh }: SessionCookieTokens, options: ResolveOptions): Promise<ResolvedSession> {
  const check = access === undefined ? null : await verifyAccessToken(access, 'browser');
  if (check?.ok) {
    const { userId, sessionId } = check;
    return options.confirm ? confirm(userId, sessionId) : { outcome: 'valid', userId, sessionId, user: null };
  }
  if (refresh === undefined || !options.renew) return { outcome: 'ended', reason: check?.reason ?? 'missing' };
  return renew(refresh, options.context);
}

/**
 * A valid access cookie whose session has ended is not renewed from the refresh cookie: the
 * refresh token ended with its session, and renewing would be refused too.
 */
async function confirm(userId: string, sessionId: string): Promise<ResolvedSession> {
  const user = await findSessionUser(sessionId, userId, 'browser');
  return user ? { outcome: 'valid', userId, sessionId, user } : { outcome: 'ended', reason: 'over' };
}

async function renew(refresh: string, context: RequestContext): Promise<ResolvedSession> {
  const renewal = await renewBrowserSession(refresh, context);
  if (renewal.ok)
    return { outcome: 'renewed', user: renewal.user, sessionId: renewal.sessionId, cookies: renewal.cookies };
  if (renewal.reason === 'rate_limited')
    return { outcome: 'rate_limited', retryAfterSeconds: renewal.retryAfterSeconds };
  return { outcome: 'ended', reason: 'over' };
}
