import 'server-only';
import type { NextRequest, NextResponse } from 'next/server';
import { isSecureRequest } from '../http/request-context';
import type { IssuedToken } from './tokens';

/**
 * The browser session lives in two httpOnly cookies that JavaScript can never read: a short-lived
 * access JWT and the refresh token. Over https they take the `__Host-` prefix, which the browser
 * accepts only with Secure, Path=/ and no Domain, so a sibling subdomain cannot plant one.
 */

export type SessionCookieNames = { access: string; refresh: string };

const PLAIN_NAMES: SessionCookieNames = { access: 'chirpy_access', refresh: 'chirpy_refresh' };
const HOST_NAMES: SessionCookieNames = { access: '__Host-chirpy_access', refresh: '__Host-chirpy_refresh' };

export function sessionCookieNames(secure: boolean): SessionCookieNames {
  return secure ? HOST_NAMES : PLAIN_NAMES;
}

/** The same, for a route handler's or the proxy's request. */
export function isSecureNextRequest(request: NextRequest): boolean {
  return isSecureRequest(request.headers, request.nextUrl);
}

export type SessionCookie = {
  name: string;
  value: string;
  httpOnly: true;
  sameSite: 'lax';
  path: '/';
  secure: boolean;
  maxAge: number;
};

function remainingSeconds(expiresAt: Date): number {
  // Rounded up: a cookie that outlives its token by under a second is harmless, one that dies early is not.
  return Math.max(0, Math.ceil((expiresAt.getTime() - Date.now()) / 1000));
}

/** The single factory for session cookies: setting and clearing share every attribute. */
export function sessionCookie(name: string, value: string, secure: boolean, maxAge: number): SessionCookie {
  return { name, value, httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge };
}

export type SessionCookieValues = { access: IssuedToken; refresh: IssuedToken | null };

/** The cookies to send; a null refresh token means "keep the refresh cookie you already have". */
export function sessionCookies(secure: boolean, tokens: SessionCookieValues): SessionCookie[] {
  const names = sessionCookieNames(secure);
  const cookies = [sessionCookie(names.access, tokens.access.value, secure, remainingSeconds(tokens.access.expiresAt))];
  if (tokens.refresh !== null) {
    cookies.push(
      sessionCookie(names.refresh, tokens.refresh.value, secure, remainingSeconds(tokens.refresh.expiresAt)),
    );
  }
  return cookies;
}

export function expiredSessionCookies(secure: boolean): SessionCookie[] {
  const names = sessionCookieNames(secure);
  return [sessionCookie(names.access, '', secure, 0), sessionCookie(names.refresh, '', secure, 0)];
}

/**
 * Where cookies can be set: a NextResponse's cookies (route handlers, the proxy) or next/headers'
 * cookie store (server actions). Both take the factory's cookies as they are.
 */
export type CookieWriter = { set(cookie: SessionCookie): unknown };
export type CookieReader = { get(name: string): { value: string } | undefined };

export function writeSessionCookies(store: CookieWriter, secure: boolean, tokens: SessionCookieValues): void {
  for (const cookie of sessionCookies(secure, tokens)) store.set(cookie);
}

export function writeExpiredSessionCookies(store: CookieWriter, secure: boolean): void {
  for (const cookie of expiredSessionCookies(secure)) store.set(cookie);
}

export type SessionCookieTokens = { access: string | undefined; refresh: string | undefined };

/** The session cookies a request carries (empty values count as absent). */
export function readSessionCookies(store: CookieReader, secure: boolean): SessionCookieTokens {
  const names = sessionCookieNames(secure);
  return { access: store.get(names.access)?.value || undefined, refresh: store.get(names.refresh)?.value || undefined };
}

export function setSessionCookies(response: NextResponse, secure: boolean, tokens: SessionCookieValues): void {
  writeSessionCookies(response.cookies, secure, tokens);
  markPrivate(response);
}

export function clearSessionCookies(response: NextResponse, secure: boolean): void {
  writeExpiredSessionCookies(response.cookies, secure);
  markPrivate(response);
}

// A response that sets session cookies must never be stored by a shared cache.
function markPrivate(response: NextResponse): void {
  response.headers.set('Cache-Control', 'private, no-store');
}
