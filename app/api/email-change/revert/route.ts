import { declareRoute } from '@/lib/auth/declared-route';
import { emailLinkRefusal } from '@/lib/auth/email-link-refusal';
import { emailLinkSchema, revertEmailChange } from '@/lib/auth/email-verification';
import { errorBodySchema } from '@/lib/http/declare-route';
import { requestContext } from '@/lib/http/request-context';
import { noContent } from '@/lib/http/responses';

/**
 * "This wasn't me", from the notice mailed to an address the account left: that address is the
 * account's again (confirmed), any pending change is cancelled, and every session ends.
 */
export const POST = declareRoute(
  {
    method: 'POST',
    path: '/api/email-change/revert',
    summary: 'Undo an email change with the token from the notice sent to the old address; every session ends',
    tags: ['Email verification'],
    auth: 'none',
    body: emailLinkSchema,
    bodyExample: { token: '5f0c…the token from the link' },
    responses: {
      204: { description: 'The old address is back; every session of the account has ended', body: null },
      409: { description: 'Another account has the old address now', body: errorBodySchema },
      429: { description: 'Too many attempts (Retry-After)', body: errorBodySchema },
    },
  },
  async ({ body, request }) => {
    const restored = await revertEmailChange(body.token, requestContext(request.headers));
    return restored.ok ? noContent() : emailLinkRefusal(restored);
  },
);
