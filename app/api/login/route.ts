import { z } from 'zod';
import { publicUserSchema, signedInUserSchema } from '@/lib/api-shapes';
import { isSecureNextRequest, setSessionCookies } from '@/lib/auth/cookies';
import { declareRoute } from '@/lib/auth/declared-route';
import { loginSchema } from '@/lib/auth/password-account';
import { signIn } from '@/lib/auth/sign-in';
import { errorBodySchema } from '@/lib/http/declare-route';
import { requestContext } from '@/lib/http/request-context';
import { errorResponse, jsonResponse, refusalResponse } from '@/lib/http/responses';
import { MESSAGES } from '@/lib/messages';
import { toPublicUser } from '@/lib/users';

/** A script that wants a browser session instead of tokens in the body sends this header. */
const COOKIE_SESSION_HEADER = 'x-chirpy-session';

/**
 * Two callers, both speaking JSON: API clients (tokens in the body) and page scripts that ask for
 * a cookie session (cookies, and only the user in the body). The sign-in page does not come
 * here: it posts to a server action (app/actions/auth.ts).
 */
export const POST = declareRoute(
  {
    method: 'POST',
    path: '/api/login',
    summary: 'Sign in: tokens in the body, or with `X-Chirpy-Session: cookie` a cookie session',
    tags: ['Sessions'],
    auth: 'none',
    body: loginSchema,
    bodyExample: { email: 'alice@example.com', password: 'correct horse battery staple' },
    responses: {
      200: {
        description: 'The user with its tokens, or (cookie session) the user alone with Set-Cookie',
        body: z.union([signedInUserSchema, publicUserSchema]),
      },
      401: { description: 'Incorrect email or password', body: errorBodySchema },
      403: {
        description:
          'REQUIRE_EMAIL_VERIFICATION=true only: the password is right but the address is not confirmed ' +
          '(`code` `email_unverified`); a new confirmation link is mailed, within its limit',
        body: errorBodySchema,
      },
      429: { description: 'Too many attempts (Retry-After)', body: errorBodySchema },
    },
  },
  async ({ body, request }) => {
    const wantsCookies = request.headers.get(COOKIE_SESSION_HEADER) === 'cookie';
    const client = wantsCookies ? 'browser' : 'bearer';
    const session = await signIn(body, client, requestContext(request.headers), request.signal);
    if (!session.ok) {
      // The right password, an address not confirmed yet.
      if (session.reason === 'email_unverified') return errorResponse(403, MESSAGES.email_unverified);
      return refusalResponse(session, 401, MESSAGES.incorrect_credentials);
    }
    const user = toPublicUser(session.user);
    if (!wantsCookies) {
      return jsonResponse({ ...user, token: session.tokens.access.value, refresh_token: session.tokens.refresh.value });
    }
    const response = jsonResponse(user);
    setSessionCookies(response, isSecureNextRequest(request), session.tokens);
    return response;
  },
);
