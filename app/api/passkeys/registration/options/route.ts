import { declareSignedInRoute } from '@/lib/auth/declared-route';
import { relyingPartyFor, startPasskeyRegistration } from '@/lib/auth/passkey-ceremonies';
import {
  PASSKEYS_UNAVAILABLE_RESPONSE,
  passkeyOptionsResponse,
  passkeyOptionsSchema,
  passkeysUnavailable,
} from '@/lib/auth/passkey-responses';
import { isSecureRequest, requestContext } from '@/lib/http/request-context';

/**
 * The account page's "add a passkey", first step: creation options for the caller. The passkey
 * is kept only by the form that follows (app/actions/passkeys.ts), after its step-up.
 */
export const POST = declareSignedInRoute(
  {
    method: 'POST',
    path: '/api/passkeys/registration/options',
    summary: 'Start adding a passkey: WebAuthn creation options, the challenge bound to a cookie',
    tags: ['Passkeys'],
    auth: 'session',
    responses: {
      200: { description: 'The options for startRegistration, with Set-Cookie', body: passkeyOptionsSchema },
      404: PASSKEYS_UNAVAILABLE_RESPONSE,
    },
  },
  async ({ auth, request }) => {
    const rp = relyingPartyFor(request.headers);
    if (rp === null) return passkeysUnavailable();
    const secure = isSecureRequest(request.headers, request.nextUrl);
    const context = requestContext(request.headers);
    return passkeyOptionsResponse(await startPasskeyRegistration(auth.user, rp, secure, context));
  },
);
