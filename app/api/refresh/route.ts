import type { NextRequest } from 'next/server';
import { accessTokenSchema } from '@/lib/api-shapes';
import { clearSessionCookies, isSecureNextRequest, sessionCookieNames, setSessionCookies } from '@/lib/auth/cookies';
import { CROSS_SITE_REFUSED, isCrossSiteWrite } from '@/lib/auth/csrf';
import { declareRoute } from '@/lib/auth/declared-route';
import { refreshAccessToken, renewBrowserSession } from '@/lib/auth/session-flow';
import { readAuthorization } from '@/lib/http/authorization';
import { errorBodySchema } from '@/lib/http/declare-route';
import { requestContext } from '@/lib/http/request-context';
import { errorResponse, jsonResponse, noContent, tooManyRequests } from '@/lib/http/responses';

const INVALID = 'Invalid, expired or revoked refresh token';

/**
 * With `Authorization: Bearer <refresh token>`: the design note's contract, a new access token
 * and no rotation. Without the header, the browser's refresh cookie: rotated, cookies renewed.
 */
export const POST = declareRoute(
  {
    method: 'POST',
    path: '/api/refresh',
    summary:
      'A new access token for a Bearer refresh token (no rotation), or, without the header, the browser’s refresh cookie rotated and the cookies renewed',
    tags: ['Sessions'],
    auth: 'refresh',
    responses: {
      200: { description: 'A new access token (Bearer refresh token)', body: accessTokenSchema },
      204: { description: 'The cookie session is renewed (Set-Cookie)', body: null },
      401: { description: 'A malformed, missing, expired or revoked refresh token', body: errorBodySchema },
      403: { description: 'A cookie renewal from another site', body: errorBodySchema },
      429: { description: 'Too many renewals (Retry-After)', body: errorBodySchema },
    },
  },
  async ({ request }) => {
    const authorization = readAuthorization(request.headers, 'Bearer');
    if (!authorization.present) return refreshBrowserSession(request);
    if (!authorization.ok)
      return errorResponse(401, 'Malformed Authorization header: expected "Bearer <refresh token>"');
    const refresh = await refreshAccessToken(authorization.credentials, requestContext(request.headers));
    if (refresh.ok) return jsonResponse({ token: refresh.token.value });
    return refresh.reason === 'rate_limited' ? tooManyRequests(refresh.retryAfterSeconds) : errorResponse(401, INVALID);
  },
);

async function refreshBrowserSession(request: NextRequest): Promise<Response> {
  const secure = isSecureNextRequest(request);
  const refreshToken = request.cookies.get(sessionCookieNames(secure).refresh)?.value;
  if (!refreshToken) return errorResponse(401, 'Missing refresh token: send "Authorization: Bearer <refresh token>"');
  if (isCrossSiteWrite(request)) return errorResponse(403, CROSS_SITE_REFUSED);
  const renewal = await renewBrowserSession(refreshToken, requestContext(request.headers));
  // Over the limit nothing rotated: the cookies the browser holds are still good, keep them.
  if (!renewal.ok && renewal.reason === 'rate_limited') return tooManyRequests(renewal.retryAfterSeconds);
  if (!renewal.ok) {
    const response = errorResponse(401, INVALID);
    clearSessionCookies(response, secure);
    return response;
  }
  const response = noContent();
  setSessionCookies(response, secure, renewal.cookies);
  return response;
}
