import 'server-only';
import type { NextResponse } from 'next/server';
import { z } from 'zod';
import { errorBodySchema } from '../http/declare-route';
import { errorResponse, jsonResponse, refusalResponse } from '../http/responses';
import { MESSAGES } from '../messages';
import type { RateLimited } from '../rate-limit';
import type { CeremonyStart } from './passkey-ceremonies';

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

/** The options, with the challenge's cookie; or the limit's 429. */
export function passkeyOptionsResponse(start: CeremonyStart<object> | RateLimited): NextResponse {
  if (!start.ok) return refusalResponse(start, 429, MESSAGES.rate_limited);
  const response = jsonResponse({ options: start.options });
  response.cookies.set(start.cookie);
  return response;
}
