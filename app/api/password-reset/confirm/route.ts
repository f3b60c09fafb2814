import type { NextRequest } from 'next/server';
import { resetConfirmSchema, resetPassword } from '@/lib/auth/password-reset';
import { withErrorBoundary } from '@/lib/auth/route-boundary';
import { isPasswordResetEnabled } from '@/lib/config';
import { readJson } from '@/lib/http/body';
import { requestContext } from '@/lib/http/request-context';
import { badInputResponse, errorResponse, noContent, tooManyRequests } from '@/lib/http/responses';
import { MESSAGES } from '@/lib/messages';

/**
 * Sets a new password with a mailed token: 204, and every session of the account has ended (an
 * API client signs in again with the new password). A used, expired, replaced or unknown token
 * is one 400 that changes nothing.
 */
export const POST = withErrorBoundary('POST /api/password-reset/confirm', async (request: NextRequest) => {
  if (!isPasswordResetEnabled()) return errorResponse(404, MESSAGES.reset_disabled);
  const body = await readJson(request, resetConfirmSchema);
  if (!body.ok) return badInputResponse(body);
  const reset = await resetPassword(body.data.token, body.data.password, requestContext(request.headers));
  if (reset.ok) return noContent();
  return reset.reason === 'rate_limited'
    ? tooManyRequests(reset.retryAfterSeconds)
    : errorResponse(400, MESSAGES.reset_link_invalid);
});
