import type { NextRequest } from 'next/server';
import { clearSessionCookies, isSecureNextRequest, readSessionCookies } from '@/lib/auth/cookies';
import { CROSS_SITE_REFUSED, isCrossSiteWrite } from '@/lib/auth/csrf';
import { declareRoute } from '@/lib/auth/declared-route';
import { signOut } from '@/lib/auth/session-flow';
import { revokeSession } from '@/lib/auth/sessions';
import { readAuthorization } from '@/lib/http/authorization';
import { errorBodySchema } from '@/lib/http/declare-route';
import { requestContext } from '@/lib/http/request-context';
import { errorResponse, noContent } from '@/lib/http/responses';

/**
 * Ends the session a refresh token belongs to. Idempotent: an unknown or already revoked token
 * still gets 204, so a client can always call it safely on sign-out.
 */
export const POST = declareRoute(
  {
    method: 'POST',
    path: '/api/revoke',
    summary: 'End the session of a Bearer refresh token (idempotent), or, without the header, the cookie session',
    tags: ['Sessions'],
    auth: 'refresh',
    responses: {
      204: { description: 'The session has ended (or was already gone)', body: null },
      401: { description: 'A malformed Authorization header, or no token at all', body: errorBodySchema },
      403: { description: 'A cookie sign-out from another site', body: errorBodySchema },
    },
  },
  async ({ request }) => {
    const authorization = readAuthorization(request.headers, 'Bearer');
    if (!authorization.present) return signOutWithCookies(request);
    if (!authorization.ok)
      return errorResponse(401, 'Malformed Authorization header: expected "Bearer <refresh token>"');
    await revokeSession(authorization.credentials, requestContext(request.headers));
    return noContent();
  },
);

/**
 * A script's sign-out of a cookie session (the pages sign out through a server action): the
 * whole session ends and both cookies go, whatever their state.
 */
async function signOutWithCookies(request: NextRequest): Promise<Response> {
  const secure = isSecureNextRequest(request);
  const tokens = readSessionCookies(request.cookies, secure);
  if (tokens.access === undefined && tokens.refresh === undefined) {
    return errorResponse(401, 'Missing refresh token: send "Authorization: Bearer <refresh token>"');
  }
  if (isCrossSiteWrite(request)) return errorResponse(403, CROSS_SITE_REFUSED);
  await signOut(tokens, requestContext(request.headers));
  const response = noContent();
  clearSessionCookies(response, secure);
  return response;
}
