import 'server-only';
import type { NextRequest, NextResponse } from 'next/server';
import { z } from 'zod';
import type { RelyingParty } from '../config';
import type { User } from '../db/schema';
import { type DeclaredHandler, errorBodySchema } from '../http/declare-route';
import { isSecureRequest, type RequestContext, requestContext } from '../http/request-context';
import { errorResponse, jsonResponse, refusalResponse } from '../http/responses';
import { MESSAGES } from '../messages';
import type { RateLimited } from '../rate-limit';
import { declareSignedInRoute } from './declared-route';
import { type CeremonyStart, relyingPartyFor } from './passkey-ceremonies';

/**
 * What the passkey routes share: the options answer, which binds its challenge to the browser
 * with a cookie, and the answers every passkey route can give.
 */

/** The options for @simplewebauthn/browser's startRegistration or startAuthentication (`optionsJSON`). */
export const passkeyOptionsSchema = z
  .object({ options: z.looseObject({ challenge: z.string() }) })
  .meta({ examples: [{ options: { challenge: 'q2c1…43 base64url characters', rpId: 'chirpy.example.com' } }] });

export const PASSKEYS_UNAVAILABLE_RESPONSE = {
  description: 'Passkeys are not set up here (no WEBAUTHN_ORIGIN or APP_URL)',
  body: errorBodySchema,
};

export function passkeysUnavailable(): NextResponse {
  return errorResponse(404, MESSAGES.passkeys_unavailable);
}

type Start = (
  rp: RelyingParty,
  secure: boolean,
  context: RequestContext,
) => Promise<CeremonyStart<object> | RateLimited>;

/**
 * An options route's answer: 404 where passkeys are off; else the ceremony `start` begins, its
 * options with the challenge's cookie, or the limit's 429.
 */
export async function passkeyOptionsResponse(request: NextRequest, start: Start): Promise<NextResponse> {
  const rp = relyingPartyFor(request.headers);
  if (rp === null) return passkeysUnavailable();
  const secure = isSecureRequest(request.headers, request.nextUrl);
  const started = await start(rp, secure, requestContext(request.headers));
  if (!started.ok) return refusalResponse(started, 429, MESSAGES.rate_limited);
  const response = jsonResponse({ options: started.options });
  response.cookies.set(started.cookie);
  return response;
}

type SignedInStart = (
  user: User,
  rp: RelyingParty,
  secure: boolean,
  context: RequestContext,
) => Promise<CeremonyStart<object> | RateLimited>;

/**
 * An options route for the signed-in account page (adding a passkey, a passkey step-up): the
 * declaration they share, and the ceremony `start` begins for the caller.
 */
export function declareSignedInOptionsRoute(
  declaration: { path: string; summary: string; answer: string },
  start: SignedInStart,
): DeclaredHandler {
  return declareSignedInRoute(
    {
      method: 'POST',
      path: declaration.path,
      summary: declaration.summary,
      tags: ['Passkeys'],
      auth: 'session',
      responses: {
        200: { description: declaration.answer, body: passkeyOptionsSchema },
        404: PASSKEYS_UNAVAILABLE_RESPONSE,
      },
    },
    ({ auth, request }) =>
      passkeyOptionsResponse(request, (rp, secure, context) => start(auth.user, rp, secure, context)),
  );
}
