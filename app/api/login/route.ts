import type { NextRequest } from 'next/server';
import { isSecureNextRequest, setSessionCookies } from '@/lib/auth/cookies';
import { loginSchema } from '@/lib/auth/password-account';
import { withErrorBoundary } from '@/lib/auth/route-boundary';
import { signIn } from '@/lib/auth/session-flow';
import { readJson } from '@/lib/http/body';
import { requestContext } from '@/lib/http/request-context';
import { badInputResponse, errorResponse, jsonResponse, tooManyRequests } from '@/lib/http/responses';
import { MESSAGES } from '@/lib/messages';
import { toPublicUser } from '@/lib/users';

/** A script that wants a browser session instead of tokens in the body sends this header. */
const COOKIE_SESSION_HEADER = 'x-chirpy-session';

/**
 * Two callers, both speaking JSON: API clients (tokens in the body) and page scripts that ask for
 * a cookie session (cookies, and only the user in the body). The sign-in page does not come
 * here: it posts to a server action (app/actions/auth.ts).
 */
export const POST = withErrorBoundary('POST /api/login', async (request: NextRequest) => {
  const body = await readJson(request, loginSchema);
  if (!body.ok) return badInputResponse(body);
  const wantsCookies = request.headers.get(COOKIE_SESSION_HEADER) === 'cookie';
  const client = wantsCookies ? 'browser' : 'bearer';
  const session = await signIn(body.data, client, requestContext(request.headers), request.signal);
  if (!session.ok) {
    return session.reason === 'rate_limited'
      ? tooManyRequests(session.retryAfterSeconds)
      : errorResponse(401, MESSAGES.incorrect_credentials);
  }
  const user = toPublicUser(session.user);
  if (!wantsCookies) {
    return jsonResponse({ ...user, token: session.tokens.access.value, refresh_token: session.tokens.refresh.value });
  }
  const response = jsonResponse(user);
  setSessionCookies(response, isSecureNextRequest(request), session.tokens);
  return response;
});
