import { z } from 'zod';
import { mfaRequiredSchema, signedInAnswer } from '@/lib/api-shapes';
import { declareRoute } from '@/lib/auth/declared-route';
import { mfaRequiredResponse, signedInResponse, wantsCookieSession } from '@/lib/auth/login-response';
import { loginSchema } from '@/lib/auth/password-account';
import { signIn } from '@/lib/auth/sign-in';
import { errorBodySchema } from '@/lib/http/declare-route';
import { requestContext } from '@/lib/http/request-context';
import { errorResponse, refusalResponse } from '@/lib/http/responses';
import { MESSAGES } from '@/lib/messages';

/**
 * Two callers, both speaking JSON: API clients (tokens in the body) and page scripts that ask for
 * a cookie session (cookies, and only the user in the body). The sign-in page does not come
 * here: it posts to a server action (app/actions/auth.ts). An account with a second factor gets
 * no session here: a challenge for `POST /api/login/mfa`.
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
      200: signedInAnswer,
      401: {
        description:
          'Incorrect email or password; or (`code: mfa_required`) the password was right and the account has a ' +
          'second factor: send the code with `challenge_id` to POST /api/login/mfa within 5 minutes',
        body: z.union([mfaRequiredSchema, errorBodySchema]),
      },
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
    const client = wantsCookieSession(request) ? 'browser' : 'bearer';
    const session = await signIn(body, client, requestContext(request.headers), request.signal);
    if (!session.ok) {
      if (session.reason === 'second_factor_required') return mfaRequiredResponse(session.challenge);
      // The right password, an address not confirmed yet.
      if (session.reason === 'email_unverified') return errorResponse(403, MESSAGES.email_unverified);
      return refusalResponse(session, 401, MESSAGES.incorrect_credentials);
    }
    return signedInResponse(request, session);
  },
);
