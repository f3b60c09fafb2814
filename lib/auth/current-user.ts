import 'server-only';
import { cookies, headers } from 'next/headers';
import type { NextRequest } from 'next/server';
import { cache } from 'react';
import type { User } from '../db/schema';
import { readAuthorization } from '../http/authorization';
import { isSecureRequest } from '../http/forwarded';
import { findUserById } from '../users';
import { isSecureNextRequest, sessionCookieNames } from './cookies';
import { CROSS_SITE_REFUSED, isCrossSiteWrite } from './csrf';
import { findSessionUser } from './sessions';
import { verifyAccessToken } from './tokens';

/**
 * Who is asking. The proxy's checks are only optimistic; this is the authoritative one, made
 * where data is read: the token must verify, its user must exist, and a token that names its
 * session (`sid`: every token issued now, bearer or cookie) must belong to a session that is
 * still alive, so sign-out, "sign out everywhere else", a credentials change and reuse detection
 * take effect at once, not when the access token runs out. Tokens issued before sessions were
 * named carry no `sid` and are trusted until they expire (at most an hour).
 */

export type Authentication =
  | { ok: true; user: User; sessionId: string | null }
  | { ok: false; status: 401 | 403; error: string };

const INVALID: Authentication = { ok: false, status: 401, error: 'Invalid access token' };

/**
 * `carrier` is where the token came from, and each carrier holds one kind of session's tokens.
 * The cookie only ever holds browser-session tokens we put there: an API token, or one naming no
 * session, found in it was put there by someone else. And a browser session's token never leaves
 * its httpOnly cookie on our doing: sent as a Bearer token, it was lifted from the cookie (by an
 * extension, a proxy log, a copied request), and a Bearer call skips the CSRF rule the cookie is
 * held to, so it is refused.
 */
async function userForAccessToken(token: string, carrier: 'header' | 'cookie'): Promise<Authentication> {
  const check = await verifyAccessToken(token);
  if (!check.ok)
    return {
      ok: false,
      status: 401,
      error: check.reason === 'expired' ? 'Access token expired' : 'Invalid access token',
    };
  if (check.sessionId === null) {
    if (carrier === 'cookie') return INVALID;
    const user = await findUserById(check.userId);
    return user ? { ok: true, user, sessionId: null } : INVALID;
  }
  const client = carrier === 'cookie' ? 'browser' : 'bearer';
  const user = await findSessionUser(check.sessionId, check.userId, client);
  return user ? { ok: true, user, sessionId: check.sessionId } : INVALID;
}

/** Route handlers: a Bearer access token, or else the browser's access cookie. */
export async function authenticateRequest(request: NextRequest): Promise<Authentication> {
  const authorization = readAuthorization(request.headers, 'Bearer');
  if (authorization.present) {
    if (!authorization.ok) {
      return { ok: false, status: 401, error: 'Malformed Authorization header: expected "Bearer <token>"' };
    }
    return userForAccessToken(authorization.credentials, 'header');
  }
  const names = sessionCookieNames(isSecureNextRequest(request));
  const cookie = request.cookies.get(names.access)?.value;
  if (!cookie) return { ok: false, status: 401, error: 'Missing access token' };
  // A cookie authenticates whatever the browser sends, so a write must come from our own pages.
  if (isCrossSiteWrite(request)) return { ok: false, status: 403, error: CROSS_SITE_REFUSED };
  return userForAccessToken(cookie, 'cookie');
}

export type CurrentSession = { user: User; sessionId: string };

/**
 * Server components and server actions: the signed-in user of this request and the browser
 * session it belongs to (what the account page marks "This device" and keeps alive through a
 * credentials change), once per render. The access cookie only ever holds a token naming its
 * session, so a session id is always there when a user is.
 */
export const getCurrentSession = cache(async (): Promise<CurrentSession | null> => {
  const [cookieStore, headerStore] = await Promise.all([cookies(), headers()]);
  const names = sessionCookieNames(isSecureRequest(headerStore));
  const token = cookieStore.get(names.access)?.value;
  if (!token) return null;
  const authentication = await userForAccessToken(token, 'cookie');
  if (!authentication.ok || authentication.sessionId === null) return null;
  return { user: authentication.user, sessionId: authentication.sessionId };
});

/** Server components: the signed-in user of this request, once per render. */
export const getCurrentUser = cache(async (): Promise<User | null> => (await getCurrentSession())?.user ?? null);
