import type { NextRequest } from 'next/server';
import { clearSessionCookies } from '@/lib/auth/cookies';
import { type CookieCall, declareRefreshTokenRoute } from '@/lib/auth/declared-route';
import { signOut } from '@/lib/auth/session-flow';
import { revokeSession } from '@/lib/auth/sessions';
import { requestContext } from '@/lib/http/request-context';
import { noContent } from '@/lib/http/responses';

/**
 * Ends the session a refresh token belongs to. Idempotent: an unknown or already revoked token
 * still gets 204, so a client can always call it safely on sign-out.
 */
export const POST = declareRefreshTokenRoute(
  {
    method: 'POST',
    path: '/api/revoke',
    summary: 'End the session of a Bearer refresh token (idempotent), or, without the header, the cookie session',
    tags: ['Sessions'],
    responses: { 204: { description: 'The session has ended (or was already gone)', body: null } },
  },
  { bearer: revokeBearerToken, cookies: signOutWithCookies },
);

async function revokeBearerToken(token: string, request: NextRequest): Promise<Response> {
  await revokeSession(token, requestContext(request.headers));
  return noContent();
}

/**
 * A script's sign-out of a cookie session (the pages sign out through a server action): the
 * whole session ends and both cookies go, whatever their state.
 */
async function signOutWithCookies({ request, cookies, secure }: CookieCall): Promise<Response> {
  await signOut(cookies, requestContext(request.headers));
  const response = noContent();
  clearSessionCookies(response, secure);
  return response;
}
