import { type NextRequest, NextResponse } from 'next/server';
import {
  clearSessionCookies,
  isSecureNextRequest,
  readSessionCookies,
  type SessionCookieValues,
  sessionCookieNames,
  sessionCookies,
  setSessionCookies,
} from '@/lib/auth/cookies';
import { carriesSessionCookie, crossSiteRefusal, isPagePath } from '@/lib/auth/csrf';
import { loginPath } from '@/lib/auth/redirects';
import { type ResolvedSession, resolveBrowserSession } from '@/lib/auth/session-resolver';
import { logFault } from '@/lib/db/fault-log';
import { createNonce, pageContentSecurityPolicy } from '@/lib/http/content-security-policy';
import { rateLimitedPage, unavailablePage } from '@/lib/http/error-pages';
import { malformedRequest } from '@/lib/http/malformed-requests';
import { requestContext } from '@/lib/http/request-context';
import { errorResponse } from '@/lib/http/responses';

/**
 * Three jobs. Every page gets a Content-Security-Policy with a fresh nonce, in the request (Next
 * stamps it on its inline scripts) and in the response (lib/http/content-security-policy.ts).
 * A page's browser session keeps its short-lived access cookie fresh here, from the refresh
 * cookie, only when the access cookie is missing or expired (lib/auth/session-resolver.ts): a
 * server component cannot set cookies. A valid access cookie costs one HMAC check and no database
 * work. And writes are held to the CSRF rule (lib/auth/csrf.ts), API calls included.
 *
 * API calls are renewed by their handlers instead (lib/auth/current-user.ts), and the matcher
 * below does not send them here for it: a pass through the proxy costs nearly as much as a whole
 * plain request, so routing every cookie-carrying API call here would almost halve the API's
 * throughput. This is an optimistic gate: pages and handlers check the user again where they read
 * data.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const page = isPagePath(request.nextUrl.pathname);
  const malformed = await malformedRequest(request, request.nextUrl.pathname, page);
  if (malformed !== null) return errorResponse(400, malformed);
  if (!page) return guardApi(request);
  if (isUntouchedRead(request)) return NextResponse.next();
  const policy = pageContentSecurityPolicy(createNonce());
  if (hasTrailingSlash(request)) return withPolicy(withoutTrailingSlash(request), policy);
  request.headers.set('content-security-policy', policy);
  return withPolicy(await guardSession(request), policy);
}

function withPolicy(response: NextResponse, policy: string): NextResponse {
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

/** One address per page: `/login/` is `/login` (what Next's own redirect did, without our headers). */
function hasTrailingSlash(request: NextRequest): boolean {
  const path = request.nextUrl.pathname;
  return path.length > 1 && path.endsWith('/');
}

function withoutTrailingSlash(request: NextRequest): NextResponse {
  // A plain URL: NextURL puts back the trailing slash it was made with.
  const url = new URL(request.url);
  url.pathname = url.pathname.replace(/\/+$/, '') || '/';
  return NextResponse.redirect(url, 308);
}

/** An API call: the CSRF rule only. Its handler renews the session if it needs one. */
function guardApi(request: NextRequest): NextResponse {
  return crossSiteRefusal(request) ?? NextResponse.next();
}

async function guardSession(request: NextRequest): Promise<NextResponse> {
  const refused = crossSiteRefusal(request);
  if (refused !== null) return refused;
  if (!carriesSessionCookie(request)) return passOn(request);
  const secure = isSecureNextRequest(request);
  const cookies = readSessionCookies(request.cookies, secure);
  try {
    // Optimistic: a valid access cookie costs one HMAC check and no database work.
    const context = requestContext(request.headers);
    const session = await resolveBrowserSession(cookies, { confirm: false, renew: true, context });
    return answerSession(request, secure, session);
  } catch (error) {
    return faultAnswer(error);
  }
}

function answerSession(request: NextRequest, secure: boolean, session: ResolvedSession): NextResponse {
  switch (session.outcome) {
    case 'valid':
      return passOn(request);
    case 'renewed':
      return continueWith(request, secure, session.cookies);
    case 'ended':
      return signedOut(request, secure);
    case 'rate_limited':
      return rateLimitedPage(session.retryAfterSeconds);
    case 'unavailable':
      return faultAnswer(session.error);
  }
}

/**
 * The database is down (or a bug), not the session: sign nobody out. Passing the request on
 * without an access cookie would show a signed-out page, so answer here, cookies untouched; the
 * next request tries again.
 */
function faultAnswer(error: unknown): NextResponse {
  return logFault('proxy: session renewal', error) === 'unavailable'
    ? unavailablePage()
    : errorResponse(500, 'Internal server error');
}

/**
 * Reads passed on as they came. Static-looking paths: the matcher can leave out only the requests
 * that carry nothing to check, so a read of such a path with an Origin (a font, a fetch) still
 * arrives here. Pages that are route handlers setting their own Content-Security-Policy: the nonce
 * policy would replace theirs, and with 'strict-dynamic' block their same-origin scripts, which
 * carry no nonce; they read no session. Any other method at either is a write to whatever renders
 * there (a 404 included), and is held to the rules like every other.
 */
const STATIC_FILE = /\.(?:svg|png|jpg|jpeg|gif|webp|ico|css|js|map|txt|woff2?)$/;
const SELF_POLICED_PAGES = ['/docs/api'];

function isUntouchedRead(request: NextRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.nextUrl.pathname;
  return STATIC_FILE.test(path) || SELF_POLICED_PAGES.includes(path);
}

/** The page goes on with the headers set here: its policy. */
function passOn(request: NextRequest): NextResponse {
  return NextResponse.next({ request: { headers: request.headers } });
}

/** New cookies go both to the browser and into this same request, for the page being rendered. */
function continueWith(request: NextRequest, secure: boolean, tokens: SessionCookieValues): NextResponse {
  for (const cookie of sessionCookies(secure, tokens)) request.cookies.set(cookie.name, cookie.value);
  const response = NextResponse.next({ request: { headers: request.headers } });
  setSessionCookies(response, secure, tokens);
  return response;
}

function signedOut(request: NextRequest, secure: boolean): NextResponse {
  const names = sessionCookieNames(secure);
  request.cookies.delete(names.access);
  request.cookies.delete(names.refresh);
  const response = isPrivatePage(request)
    ? NextResponse.redirect(new URL(loginPath(`${request.nextUrl.pathname}${request.nextUrl.search}`), request.url))
    : NextResponse.next({ request: { headers: request.headers } });
  clearSessionCookies(response, secure);
  return response;
}

/**
 * Pages only a signed-in person can see: a visitor whose session just ended is sent to sign in.
 * Every other page (the timeline, authors' pages) is public and simply renders signed out.
 */
const PRIVATE_PAGE_PREFIXES = ['/account'];

function isPrivatePage(request: NextRequest): boolean {
  const path = request.nextUrl.pathname;
  return (
    request.method === 'GET' && PRIVATE_PAGE_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))
  );
}

/**
 * The proxy runs for every page (each needs its nonce) and, elsewhere, only for requests it has
 * work on: writes a browser sends with an Origin, or with a script's cookie-login header (the CSRF
 * rule), and the ones that may be malformed in a way Next cannot handle (a server-action header, a
 * multipart body, a percent-encoded path). API calls with session cookies and no Origin skip
 * it: their handlers authenticate, renew and hold writes to the CSRF rule themselves. Anonymous
 * API reads and bearer API calls pay nothing for it. Never Next's internals.
 *
 * Static-looking paths (`*.png`, `*.txt`…) are left out only of the first entry, the one that
 * takes requests with no mark of a write: a plain GET of a file costs nothing here (the bench's
 * floor route, `/bench-floor.txt`, depends on it). A matcher cannot tell methods apart, so the
 * entries below take such paths too, and the function passes their GET and HEAD on untouched:
 * every way to reach a page's server action (its header, a multipart form) or to write from a
 * browser (an Origin) meets the same checks at `/users/x.png` as at `/users/x`.
 * Next reads this object statically, so it is spelled out rather than built.
 */
export const config = {
  matcher: [
    {
      source:
        '/((?!api/|_next/static|_next/image|favicon\\.ico|robots\\.txt|.*\\.(?:svg|png|jpg|jpeg|gif|webp|ico|css|js|map|txt|woff2?)$).*)',
    },
    {
      source: '/((?!_next/static|_next/image).*)',
      has: [{ type: 'header', key: 'origin' }],
    },
    {
      source: '/((?!_next/static|_next/image).*)',
      has: [{ type: 'header', key: 'x-chirpy-session' }],
    },
    {
      source: '/((?!_next/static|_next/image).*)',
      has: [{ type: 'header', key: 'next-action' }],
    },
    {
      source: '/((?!_next/static|_next/image).*)',
      has: [{ type: 'header', key: 'content-type', value: 'multipart/form-data.*' }],
    },
    // Any percent-encoded path, so that one Next cannot decode is refused here (a 400, not its 500).
    { source: '/(.*%.*)' },
  ],
};
