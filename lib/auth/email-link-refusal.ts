import 'server-only';
import { errorResponse, refusalResponse } from '../http/responses';
import { MESSAGES } from '../messages';
import type { RateLimited } from '../rate-limit';

/**
 * A refused confirmation or "this wasn't me" link, as the API answers it: one 400 for every bad
 * link (which kind it was helps nobody but a guesser), 409 for an address another account holds.
 */
export function emailLinkRefusal(refused: { ok: false; reason: 'invalid_token' | 'email_taken' } | RateLimited) {
  if (refused.reason === 'email_taken') return errorResponse(409, MESSAGES.email_taken);
  return refusalResponse(refused, 400, MESSAGES.email_link_invalid);
}
