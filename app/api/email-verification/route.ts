import { declareRoute } from '@/lib/auth/declared-route';
import { confirmationRequestSchema, requestConfirmationLink } from '@/lib/auth/email-verification';
import { errorBodySchema } from '@/lib/http/declare-route';
import { requestContext } from '@/lib/http/request-context';
import { accepted, tooManyRequests } from '@/lib/http/responses';

/**
 * "Send the link again" for someone who cannot sign in yet: 202 whether or not the address has
 * an account waiting for confirmation (only a malformed body is a 400, and a limit a 429, which
 * count every address alike). The lookup and the mail come after the response.
 */
export const POST = declareRoute(
  {
    method: 'POST',
    path: '/api/email-verification',
    summary: 'Ask for a new confirmation link (202 whether or not the address has an account)',
    tags: ['Email verification'],
    auth: 'none',
    body: confirmationRequestSchema,
    bodyExample: { email: 'alice@example.com' },
    responses: {
      202: { description: 'Taken in; a link is mailed if an unconfirmed account has the address', body: null },
      429: { description: 'Too many requests (Retry-After)', body: errorBodySchema },
    },
  },
  async ({ body, request }) => {
    const outcome = await requestConfirmationLink(body.email, requestContext(request.headers));
    return outcome.ok ? accepted() : tooManyRequests(outcome.retryAfterSeconds);
  },
);
