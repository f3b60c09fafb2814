import { declareRoute } from '@/lib/auth/declared-route';
import { startPasskeyAssertion } from '@/lib/auth/passkey-ceremonies';
import {
  PASSKEYS_UNAVAILABLE_RESPONSE,
  passkeyOptionsResponse,
  passkeyOptionsSchema,
} from '@/lib/auth/passkey-responses';
import { errorBodySchema } from '@/lib/http/declare-route';

/**
 * The sign-in page's first step with a passkey: a challenge for any passkey of this site (the
 * browser offers the discoverable ones, or suggests them in the email field), bound to this
 * browser by an httpOnly cookie for five minutes.
 */
export const POST = declareRoute(
  {
    method: 'POST',
    path: '/api/passkeys/sign-in/options',
    summary: 'Start a passkey sign-in: WebAuthn request options, the challenge bound to a cookie',
    tags: ['Passkeys'],
    auth: 'none',
    responses: {
      200: { description: 'The options for startAuthentication, with Set-Cookie', body: passkeyOptionsSchema },
      404: PASSKEYS_UNAVAILABLE_RESPONSE,
      429: {
        description: 'Too many passkey challenges asked for from this address (Retry-After)',
        body: errorBodySchema,
      },
    },
  },
  async ({ request }) =>
    passkeyOptionsResponse(request, (rp, secure, context) =>
      startPasskeyAssertion('sign_in', null, rp, secure, context),
    ),
);
