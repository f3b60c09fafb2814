import 'server-only';
import type { NextRequest } from 'next/server';
import { jsonResponse } from '../http/responses';
import { MESSAGES } from '../messages';
import { toPublicUser } from '../users';
import { isSecureNextRequest, setSessionCookies } from './cookies';
import { COOKIE_SESSION_HEADER } from './csrf';
import type { StartedSession } from './sign-in';
import type { Challenge } from './sign-in-challenges';

/**
 * The answers of the JSON sign-in, shared by `POST /api/login` and `POST /api/login/mfa`: the
 * contract's body (the user, its access and refresh tokens), or for a script that asked for a
 * cookie session (`X-Chirpy-Session: cookie`) the user alone with the session cookies.
 */

/** A script that wants a browser session instead of tokens in the body says so with COOKIE_SESSION_HEADER. */
export function wantsCookieSession(request: NextRequest): boolean {
  return request.headers.get(COOKIE_SESSION_HEADER) === 'cookie';
}

export function signedInResponse(request: NextRequest, session: StartedSession): Response {
  const user = toPublicUser(session.user);
  if (!wantsCookieSession(request)) {
    return jsonResponse({ ...user, token: session.tokens.access.value, refresh_token: session.tokens.refresh.value });
  }
  const response = jsonResponse(user);
  setSessionCookies(response, isSecureNextRequest(request), session.tokens);
  return response;
}

/** The password held and the account has a second factor: 401, the challenge id, never a token. */
export function mfaRequiredResponse(challenge: Challenge): Response {
  return jsonResponse(
    {
      error: MESSAGES.mfa_required,
      code: 'mfa_required',
      challenge_id: challenge.id,
      expires_at: challenge.expiresAt.toISOString(),
    },
    401,
  );
}
