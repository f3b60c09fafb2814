import { declareRoute, refuseUnless } from '@/lib/auth/declared-route';
import { resetConfirmSchema, resetPassword } from '@/lib/auth/password-reset';
import { isPasswordResetEnabled } from '@/lib/config';
import { errorBodySchema } from '@/lib/http/declare-route';
import { requestContext } from '@/lib/http/request-context';
import { noContent, refusalResponse } from '@/lib/http/responses';
import { MESSAGES } from '@/lib/messages';

/**
 * Sets a new password with a mailed token: 204, and every session of the account has ended (an
 * API client signs in again with the new password). A used, expired, replaced or unknown token
 * is one 400 that changes nothing.
 */
export const POST = declareRoute(
  {
    method: 'POST',
    path: '/api/password-reset/confirm',
    summary: 'Set a new password with a mailed token; every session ends',
    tags: ['Password reset'],
    auth: 'none',
    body: resetConfirmSchema,
    bodyExample: { token: '5f0c…the token from the link', password: 'a new long passphrase' },
    responses: {
      204: { description: 'The password is set; every session of the account has ended', body: null },
      429: { description: 'Too many attempts (Retry-After)', body: errorBodySchema },
    },
  },
  async ({ body, request }) => {
    const reset = await resetPassword(body.token, body.password, requestContext(request.headers));
    if (reset.ok) return noContent();
    return refusalResponse(reset, 400, MESSAGES.reset_link_invalid);
  },
  refuseUnless(() => isPasswordResetEnabled(), 404, MESSAGES.reset_disabled, 'Password resets are turned off'),
);
