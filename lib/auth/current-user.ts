import 'server-only';
import { cookies, headers } from 'next/headers';
import type { NextRequest } from 'next/server';
import { cache } from 'react';
import type { User } from '../db/schema';
import { readAuthorization } from '../http/authorization';
import { isSecureRequest } from '../http/forwarded';
import { findUserById } from '../users';
import { isSecureNextRequest, sessionCookieNames } from './cookies';
import { findSessionUser } from './sessions';
import { verifyAccessToken } from './tokens';

/**
 * Who is asking. The proxy's checks are only optimistic; this is the authoritative one, made
 * where data is read: the token must verify, its user must exist, and a browser session's token
 * must belong to a session that is still alive (so sign-out and reuse detection take effect at
 * once, not when the access token runs out).
 */

export type Authentication = { ok: true; user: User; sessionId: string | null } | { ok: false; error: string };

async function userForAccessToken(token: string): Promise<Authentication> {
  const check = await verifyAccessToken(token);
  if (!check.ok)
    return { ok: false, error: check.reason === 'expired' ? 'Access token expired' : 'Invalid access token' };
  const user =
    check.sessionId === null ? await findUserById(check.userId) : await findSessionUser(check.sessionId, check.userId);
  return user ? { ok: true, user, sessionId: check.sessionId } : { ok: false, error: 'Invalid access token' };
}

/** Route handlers: a Bearer access token, or else the browser's access cookie. */
export async function authenticateRequest(request: NextRequest): Promise<Authentication> {
  const authorization = readAuthorization(request.headers, 'Bearer');
  if (authorization.present) {
    if (!authorization.ok) return { ok: false, error: 'Malformed Authorization header: expected "Bearer <token>"' };
    return userForAccessToken(authorization.credentials);
  }
  const names = sessionCookieNames(isSecureNextRequest(request));
  const cookie = request.cookies.get(names.access)?.value;
  if (!cookie) return { ok: false, error: 'Missing access token' };
  const authentication = await userForAccessToken(cookie);
  // The cookie holds only session tokens; anything else in it was not put there by us.
  return authentication.ok && authentication.sessionId === null
    ? { ok: false, error: 'Invalid access token' }
    : authentication;
}

/** Server components: the signed-in user of this request, once per render. */
export const getCurrentUser = cache(async (): Promise<User | null> => {
  const [cookieStore, headerStore] = await Promise.all([cookies(), headers()]);
  const names = sessionCookieNames(isSecureRequest(headerStore));
  const token = cookieStore.get(names.access)?.value;
  if (!token) return null;
  const authentication = await userForAccessToken(token);
  return authentication.ok && authentication.sessionId !== null ? authentication.user : null;
});
