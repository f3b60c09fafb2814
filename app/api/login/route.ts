import type { NextRequest } from 'next/server';
import { isSecureNextRequest, setSessionCookies } from '@/lib/auth/cookies';
import { loginSchema } from '@/lib/auth/credentials';
import { formErrorPath } from '@/lib/auth/form-errors';
import { safeNextPath } from '@/lib/auth/redirects';
import { signIn } from '@/lib/auth/session-flow';
import { isFormRequest, readForm, readJson } from '@/lib/http/body';
import { requestContext } from '@/lib/http/forwarded';
import { withErrorBoundary } from '@/lib/http/handler';
import { badInputResponse, errorResponse, jsonResponse, seeOther, tooManyRequests } from '@/lib/http/responses';
import { MESSAGES } from '@/lib/messages';
import { toPublicUser } from '@/lib/users';

/** A script that wants a browser session instead of tokens in the body sends this header. */
const COOKIE_SESSION_HEADER = 'x-chirpy-session';

/**
 * Three callers: API clients (JSON in, tokens in the JSON out), the sign-in form (cookies and a
 * 303), and page scripts that ask for a cookie session (cookies, and only the user in the body).
 */
export const POST = withErrorBoundary('POST /api/login', async (request: NextRequest) => {
  if (isFormRequest(request)) return signInWithForm(request);
  const body = await readJson(request, loginSchema);
  if (!body.ok) return badInputResponse(body);
  const wantsCookies = request.headers.get(COOKIE_SESSION_HEADER) === 'cookie';
  const session = await signIn(body.data, wantsCookies ? 'browser' : 'bearer', requestContext(request.headers));
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

/** The form posts to `/api/login?next=<path>`, so the destination survives a failed attempt. */
async function signInWithForm(request: NextRequest): Promise<Response> {
  const next = safeNextPath(request.nextUrl.searchParams.get('next'));
  const form = await readForm(request, loginSchema);
  if (!form.ok) return seeOther(formErrorPath('/login', form.error, next));
  const session = await signIn(form.data, 'browser', requestContext(request.headers));
  if (!session.ok) {
    const message = session.reason === 'rate_limited' ? MESSAGES.rate_limited : MESSAGES.incorrect_credentials;
    return seeOther(formErrorPath('/login', message, next));
  }
  const response = seeOther(next);
  setSessionCookies(response, isSecureNextRequest(request), session.tokens);
  return response;
}
