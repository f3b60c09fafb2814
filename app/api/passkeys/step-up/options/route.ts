import { declareSignedInRoute } from '@/lib/auth/declared-route';
import { relyingPartyFor, startPasskeyAssertion } from '@/lib/auth/passkey-ceremonies';
import {
  PASSKEYS_UNAVAILABLE_RESPONSE,
  passkeyOptionsResponse,
  passkeyOptionsSchema,
  passkeysUnavailable,
} from '@/lib/auth/passkey-responses';
import { isSecureRequest, requestContext } from '@/lib/http/request-context';

/**
 * The account page's "confirm with a passkey": a challenge for one of the caller's own passkeys,
 * whose assertion a sensitive form then carries instead of the current password.
 */
export const POST = declareSignedInRoute(
  {
    method: 'POST',
    path: '/api/passkeys/step-up/options',
    summary: "Confirm it is you with one of your passkeys: WebAuthn request options for the caller's own",
    tags: ['Passkeys'],
    auth: 'session',
    responses: {
      200: { description: 'The options for startAuthentication, with Set-Cookie', body: passkeyOptionsSchema },
      404: PASSKEYS_UNAVAILABLE_RESPONSE,
    },
  },
  async ({ auth, request }) => {
    const rp = relyingPartyFor(request.headers);
    if (rp === null) return passkeysUnavailable();
    const secure = isSecureRequest(request.headers, request.nextUrl);
    const context = requestContext(request.headers);
    return passkeyOptionsResponse(await startPasskeyAssertion('step_up', auth.user, rp, secure, context));
  },
);
