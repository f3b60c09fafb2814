import 'server-only';
import type { NextRequest, NextResponse } from 'next/server';
import { readAuthorization } from '../http/authorization';
import { isSecureRequest, requestHost } from '../http/request-context';
import { errorResponse } from '../http/responses';
import { isSecureNextRequest, sessionCookieNames } from './cookies';

/**
 * The CSRF rule, whoever applies it: the proxy (for pages, and for API writes that carry an
 * Origin) and every handler that lets a cookie authenticate a write (the proxy does not run for
 * every cookie-carrying API call, so the handler cannot rely on it).
 */

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** Pages are everything but the route handlers under /api/ and /admin/. */
export function isPagePath(path: string): boolean {
  return !path.startsWith('/api/') && !path.startsWith('/admin/');
}

/** A script's JSON login asking for a cookie session instead of tokens in the body. */
export const COOKIE_SESSION_HEADER = 'x-chirpy-session';

/** The request carries a session cookie, whatever its value. */
export function carriesSessionCookie(request: NextRequest): boolean {
  const names = sessionCookieNames(isSecureNextRequest(request));
  return request.cookies.has(names.access) || request.cookies.has(names.refresh);
}

/**
 * Must this request come from our own pages? Every write to a page must: pages take only their
 * Server Actions' posts, sign-in and sign-up included, which is what stops login CSRF before any
 * cookie exists; a Bearer token does not exempt it, since pages never take one. So must an API
 * write that a browser's cookies authenticate, and a script's JSON login asking for a cookie
 * session. Bearer API calls carry their credential themselves and are exempt; so are cookieless
 * API calls (webhooks, API clients), whatever their content type. A malformed Authorization
 * header exempts nothing.
 */
export function mustComeFromOurPages(request: NextRequest): boolean {
  if (isSafeMethod(request.method)) return false;
  if (isPagePath(request.nextUrl.pathname)) return true;
  if (usesBearer(request)) return false;
  return carriesSessionCookie(request) || request.headers.has(COOKIE_SESSION_HEADER);
}

function usesBearer(request: Request): boolean {
  const authorization = readAuthorization(request.headers, 'Bearer');
  return authorization.present && authorization.ok;
}

/**
 * Did the browser send this from one of our own pages? Browsers set `Sec-Fetch-Site` and `Origin`
 * on unsafe requests and scripts cannot forge either. A request with neither (curl, an old
 * browser) is not treated as ours: such clients should use Bearer tokens, not cookies.
 */
export function isSameOriginRequest(request: Request): boolean {
  const origin = request.headers.get('origin');
  // No browser sends an Origin that is not a URL; Next's server actions would fail on it with a 500.
  if (origin !== null && origin !== 'null' && !URL.canParse(origin)) return false;
  const fetchSite = request.headers.get('sec-fetch-site');
  if (fetchSite !== null) return fetchSite === 'same-origin';
  if (origin === null || origin === 'null') return false;
  return origin === ownOrigin(request);
}

function ownOrigin(request: Request): string | null {
  const host = requestHost(request.headers);
  if (!host) return null;
  const url = new URL(request.url);
  return `${isSecureRequest(request.headers, url) ? 'https' : 'http'}://${host}`;
}

export const CROSS_SITE_REFUSED = 'Cross-site request refused';

/** The rule as one question: this request had to come from our own pages, and did not. */
export function breaksCsrfRule(request: NextRequest): boolean {
  return mustComeFromOurPages(request) && !isSameOriginRequest(request);
}

/** The answer to a request that breaks the rule (403), or null for one that keeps it. */
export function crossSiteRefusal(request: NextRequest): NextResponse | null {
  return breaksCsrfRule(request) ? errorResponse(403, CROSS_SITE_REFUSED) : null;
}
