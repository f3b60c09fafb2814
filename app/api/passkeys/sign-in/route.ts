import { z } from 'zod';
import { publicUserSchema } from '@/lib/api-shapes';
import { isSecureNextRequest, setSessionCookies } from '@/lib/auth/cookies';
import { CROSS_SITE_REFUSED, isSameOriginRequest } from '@/lib/auth/csrf';
import { declareRoute } from '@/lib/auth/declared-route';
import { authenticationResponseSchema, relyingPartyFor } from '@/lib/auth/passkey-ceremonies';
import { PASSKEYS_UNAVAILABLE_RESPONSE, passkeysUnavailable } from '@/lib/auth/passkey-responses';
import { signInWithPasskey } from '@/lib/auth/sign-in';
import { clearChallengeCookie, takeChallenge } from '@/lib/auth/webauthn-challenges';
import { errorBodySchema } from '@/lib/http/declare-route';
import { requestContext } from '@/lib/http/request-context';
import { errorResponse, jsonResponse, refusalResponse } from '@/lib/http/responses';
import { MESSAGES } from '@/lib/messages';
import { toPublicUser } from '@/lib/users';

/**
 * The passkey sign-in's second step: the browser's assertion against the challenge its cookie
 * names. A browser session, as the password form starts: the session cookies, and the user in
 * the body. Only from our own pages (the challenge cookie is SameSite=Strict as well), so no
 * other site can sign a visitor in to an account of its choosing.
 */
export const POST = declareRoute(
  {
    method: 'POST',
    path: '/api/passkeys/sign-in',
    summary: 'Finish a passkey sign-in: a browser session from a WebAuthn assertion',
    tags: ['Passkeys'],
    auth: 'none',
    body: z.object({ response: authenticationResponseSchema }),
    bodyExample: {
      response: {
        id: 'hV3u…',
        rawId: 'hV3u…',
        type: 'public-key',
        response: { clientDataJSON: 'eyJ0…', authenticatorData: 'SZYN…', signature: 'MEUC…', userHandle: 'M2Yx…' },
      },
    },
    responses: {
      200: { description: 'Signed in: the user, with the session cookies (Set-Cookie)', body: publicUserSchema },
      401: {
        description: 'The passkey was not accepted (unknown, wrong signature, spent challenge)',
        body: errorBodySchema,
      },
      403: {
        description:
          'Not from one of our pages; or, with REQUIRE_EMAIL_VERIFICATION=true, the passkey held but the ' +
          "account's address is not confirmed (`code` `email_unverified`; a new confirmation link is mailed, within its limit)",
        body: errorBodySchema,
      },
      429: { description: 'Too many sign-in attempts from this address (Retry-After)', body: errorBodySchema },
      404: PASSKEYS_UNAVAILABLE_RESPONSE,
    },
  },
  async ({ body, request }) => {
    if (!isSameOriginRequest(request)) return errorResponse(403, CROSS_SITE_REFUSED);
    const rp = relyingPartyFor(request.headers);
    if (rp === null) return passkeysUnavailable();
    const secure = isSecureNextRequest(request);
    const challenge = await takeChallenge(request.cookies, 'sign_in', null, secure);
    const session = await signInWithPasskey(body.response, challenge, rp, requestContext(request.headers));
    const response = session.ok
      ? jsonResponse(toPublicUser(session.user))
      : session.reason === 'email_unverified'
        ? errorResponse(403, MESSAGES.email_unverified)
        : refusalResponse(session, 401, MESSAGES.passkey_rejected);
    if (session.ok) setSessionCookies(response, secure, session.tokens);
    clearChallengeCookie(response.cookies, 'sign_in', secure);
    return response;
  },
);
