import { declareRoute } from '@/lib/auth/declared-route';
import { emailLinkRefusal } from '@/lib/auth/email-link-refusal';
import { confirmEmail, emailLinkSchema } from '@/lib/auth/email-verification';
import { errorBodySchema } from '@/lib/http/declare-route';
import { requestContext } from '@/lib/http/request-context';
import { noContent } from '@/lib/http/responses';

/**
 * Follows a confirmation link: the address it was mailed to is confirmed, and a pending new
 * address becomes the account's. A used, expired, replaced or unknown token is one 400.
 */
export const POST = declareRoute(
  {
    method: 'POST',
    path: '/api/email-verification/confirm',
    summary: 'Confirm an address with the token from its mailed link',
    tags: ['Email verification'],
    auth: 'none',
    body: emailLinkSchema,
    bodyExample: { token: '5f0c…the token from the link' },
    responses: {
      204: { description: 'Confirmed; a pending new address is now the account’s address', body: null },
      409: { description: 'The pending address was taken by another account meanwhile', body: errorBodySchema },
      429: { description: 'Too many attempts (Retry-After)', body: errorBodySchema },
    },
  },
  async ({ body, request }) => {
    const confirmed = await confirmEmail(body.token, requestContext(request.headers));
    return confirmed.ok ? noContent() : emailLinkRefusal(confirmed);
  },
);
