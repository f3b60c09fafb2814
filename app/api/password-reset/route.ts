import { after } from 'next/server';
import { declareRoute, refuseUnless } from '@/lib/auth/declared-route';
import { requestPasswordReset, resetRequestSchema } from '@/lib/auth/password-reset';
import { isPasswordResetEnabled } from '@/lib/config';
import { errorBodySchema } from '@/lib/http/declare-route';
import { publicOrigin, requestContext } from '@/lib/http/request-context';
import { accepted, tooManyRequests } from '@/lib/http/responses';
import { MESSAGES } from '@/lib/messages';

/**
 * Asks for a reset link: 202 whether or not the address has an account (only a malformed body
 * is a 400, and a limit a 429, which count every address alike). The mail goes out after the
 * response, so the answer's timing never depends on the account or on the mail server.
 */
export const POST = declareRoute(
  {
    method: 'POST',
    path: '/api/password-reset',
    summary: 'Ask for a password reset link (202 whether or not the address has an account)',
    tags: ['Password reset'],
    auth: 'none',
    body: resetRequestSchema,
    bodyExample: { email: 'alice@example.com' },
    responses: {
      202: { description: 'Taken in; a link is mailed if the account exists', body: null },
      429: { description: 'Too many requests (Retry-After)', body: errorBodySchema },
    },
  },
  async ({ body, request }) => {
    const context = requestContext(request.headers);
    const outcome = await requestPasswordReset(body.email, publicOrigin(request.headers), context);
    if (!outcome.ok) return tooManyRequests(outcome.retryAfterSeconds);
    after(outcome.deliver);
    return accepted();
  },
  refuseUnless(() => isPasswordResetEnabled(), 404, MESSAGES.reset_disabled, 'Password resets are turned off'),
);
