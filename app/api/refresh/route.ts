import type { NextRequest } from 'next/server';
import { accessTokenSchema } from '@/lib/api-shapes';
import { clearSessionCookies, setSessionCookies } from '@/lib/auth/cookies';
import { type CookieCall, declareRefreshTokenRoute, MISSING_REFRESH_TOKEN } from '@/lib/auth/declared-route';
import { refreshAccessToken } from '@/lib/auth/session-flow';
import { type ResolveOptions, resolveBrowserSession } from '@/lib/auth/session-resolver';
import { errorBodySchema } from '@/lib/http/declare-route';
import { requestContext } from '@/lib/http/request-context';
import { errorResponse, jsonResponse, noContent, refusalResponse, tooManyRequests } from '@/lib/http/responses';

const INVALID = 'Invalid, expired or revoked refresh token';

/**
 * With `Authorization: Bearer <refresh token>`: a new access token and no rotation, as API
 * clients expect. Without the header, the browser's refresh cookie: rotated, cookies renewed.
 */
export const POST = declareRefreshTokenRoute(
  {
    method: 'POST',
    path: '/api/refresh',
    summary:
      'A new access token for a Bearer refresh token (no rotation), or, without the header, the browser’s refresh cookie rotated and the cookies renewed',
    tags: ['Sessions'],
    responses: {
      200: { description: 'A new access token (Bearer refresh token)', body: accessTokenSchema },
      204: { description: 'The cookie session is renewed (Set-Cookie)', body: null },
      401: { description: 'A malformed, missing, expired or revoked refresh token', body: errorBodySchema },
      429: { description: 'Too many renewals (Retry-After)', body: errorBodySchema },
    },
  },
  { bearer: refreshBearerToken, cookies: renewCookieSession },
);

async function refreshBearerToken(token: string, request: NextRequest): Promise<Response> {
  const refresh = await refreshAccessToken(token, requestContext(request.headers));
  if (refresh.ok) return jsonResponse({ token: refresh.token.value });
  return refusalResponse(refresh, 401, INVALID);
}

/**
 * The refresh cookie is rotated whatever the access cookie says: renewing is what the caller asked
 * for, so the resolver is given the refresh cookie alone.
 */
async function renewCookieSession({ request, cookies, secure }: CookieCall): Promise<Response> {
  if (cookies.refresh === undefined) return errorResponse(401, MISSING_REFRESH_TOKEN);
  const renewing: ResolveOptions = { confirm: false, renew: true, context: requestContext(request.headers) };
  const session = await resolveBrowserSession({ access: undefined, refresh: cookies.refresh }, renewing);
  switch (session.outcome) {
    case 'renewed': {
      const response = noContent();
      setSessionCookies(response, secure, session.cookies);
      return response;
    }
    // Over the limit nothing rotated: the cookies the browser holds are still good, keep them.
    case 'rate_limited':
      return tooManyRequests(session.retryAfterSeconds);
    // The boundary answers an outage (503, Retry-After), the cookies untouched.
    case 'unavailable':
      throw session.error;
    // Ended ('valid' needs an access cookie, and none was given).
    default: {
      const response = errorResponse(401, INVALID);
      clearSessionCookies(response, secure);
      return response;
    }
  }
}
