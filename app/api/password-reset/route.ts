import { after, type NextRequest } from 'next/server';
import { requestPasswordReset, resetRequestSchema } from '@/lib/auth/password-reset';
import { withErrorBoundary } from '@/lib/auth/route-boundary';
import { isPasswordResetEnabled } from '@/lib/config';
import { readJson } from '@/lib/http/body';
import { publicOrigin, requestContext } from '@/lib/http/request-context';
import { accepted, badInputResponse, errorResponse, tooManyRequests } from '@/lib/http/responses';
import { MESSAGES } from '@/lib/messages';

/**
 * Asks for a reset link: 202 whether or not the address has an account (only a malformed body
 * is a 400, and a limit a 429, which count every address alike). The mail goes out after the
 * response, so the answer's timing never depends on the account or on the mail server.
 */
export const POST = withErrorBoundary('POST /api/password-reset', async (request: NextRequest) => {
  if (!isPasswordResetEnabled()) return errorResponse(404, MESSAGES.reset_disabled);
  const body = await readJson(request, resetRequestSchema);
  if (!body.ok) return badInputResponse(body);
  const context = requestContext(request.headers);
  const outcome = await requestPasswordReset(body.data.email, publicOrigin(request.headers), context);
  if (!outcome.ok) return tooManyRequests(outcome.retryAfterSeconds);
  after(outcome.deliver);
  return accepted();
});
