import { z } from 'zod';
import { signedInAnswer } from '@/lib/api-shapes';
import { declareRoute } from '@/lib/auth/declared-route';
import { signedInResponse, wantsCookieSession } from '@/lib/auth/login-response';
import { completeSecondFactor } from '@/lib/auth/sign-in';
import { errorBodySchema } from '@/lib/http/declare-route';
import { requestContext } from '@/lib/http/request-context';
import { refusalResponse } from '@/lib/http/responses';
import { MESSAGES } from '@/lib/messages';

const mfaBodySchema = z.object({
  challenge_id: z.string({ error: 'challenge_id must be a string' }).max(256, 'challenge_id is too long'),
  code: z.string({ error: 'code must be a string' }).max(64, 'code is too long'),
});

/**
 * The second step of a JSON sign-in: the challenge id `POST /api/login` answered with, and a code
 * from the authenticator app or a recovery code. The answer is the login's: tokens in the body, or
 * with `X-Chirpy-Session: cookie` (which the login must have sent too) a cookie session.
 */
export const POST = declareRoute(
  {
    method: 'POST',
    path: '/api/login/mfa',
    summary: 'Finish a sign-in that answered mfa_required: the challenge id and a code',
    tags: ['Sessions'],
    auth: 'none',
    body: mfaBodySchema,
    bodyExample: { challenge_id: 'q3J9…43 base64url characters', code: '123456' },
    responses: {
      200: signedInAnswer,
      401: {
        description:
          'A wrong code (`mfa_code_invalid`: try again, 5 tries per challenge), or a challenge that is over ' +
          '(`mfa_challenge_invalid`: expired, used, out of tries, unknown, or the password changed): sign in again',
        body: errorBodySchema,
      },
      429: { description: 'Too many wrong codes for this account (Retry-After)', body: errorBodySchema },
    },
  },
  async ({ body, request }) => {
    const client = wantsCookieSession(request) ? 'browser' : 'bearer';
    const session = await completeSecondFactor(body.challenge_id, body.code, client, requestContext(request.headers));
    if (!session.ok) {
      const error = session.reason === 'wrong_code' ? MESSAGES.mfa_code_invalid : MESSAGES.mfa_challenge_invalid;
      return refusalResponse(session, 401, error);
    }
    return signedInResponse(request, session);
  },
);
