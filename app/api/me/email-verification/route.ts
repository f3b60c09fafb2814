import { declareSignedInRoute } from '@/lib/auth/declared-route';
import { resendConfirmation } from '@/lib/auth/email-verification';
import { errorBodySchema } from '@/lib/http/declare-route';
import { requestContext } from '@/lib/http/request-context';
import { accepted, refusalResponse } from '@/lib/http/responses';
import { MESSAGES } from '@/lib/messages';

/** The signed-in owner's "send the link again": for the pending address if one waits, else the unconfirmed one. */
export const POST = declareSignedInRoute(
  {
    method: 'POST',
    path: '/api/me/email-verification',
    summary: 'Mail a new confirmation link for your unconfirmed or pending address',
    tags: ['Email verification'],
    auth: 'either',
    responses: {
      202: { description: 'A new link is on its way', body: null },
      409: { description: 'The address is confirmed and no change waits', body: errorBodySchema },
    },
  },
  async ({ auth, request }) => {
    const resent = await resendConfirmation(auth.user, requestContext(request.headers));
    if (resent.ok) return accepted();
    return refusalResponse(resent, 409, MESSAGES.email_already_verified);
  },
);
