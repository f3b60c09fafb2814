import 'server-only';
import { type CookieReader, type CookieWriter, sessionCookie } from './cookies';
import type { Challenge } from './sign-in-challenges';

/**
 * A browser's pending sign-in step (password right, second factor due) is bound to it by an
 * httpOnly cookie holding the challenge id, made by the session cookies' factory (same attributes,
 * `__Host-` over https). It lives as long as the step, and is cleared when the step ends.
 */

const PLAIN_NAME = 'chirpy_pending';
const HOST_NAME = '__Host-chirpy_pending';

/** Where the browser goes to give the second factor; `next` rides along to where sign-in leads. */
export const SECOND_STEP_PATH = '/login/code';

function pendingStepCookieName(secure: boolean): string {
  return secure ? HOST_NAME : PLAIN_NAME;
}

export function writePendingStepCookie(store: CookieWriter, secure: boolean, challenge: Challenge): void {
  const maxAge = Math.max(0, Math.ceil((challenge.expiresAt.getTime() - Date.now()) / 1000));
  store.set(sessionCookie(pendingStepCookieName(secure), challenge.id, secure, maxAge));
}

export function readPendingStepCookie(store: CookieReader, secure: boolean): string | undefined {
  return store.get(pendingStepCookieName(secure))?.value || undefined;
}

export function writeExpiredPendingStepCookie(store: CookieWriter, secure: boolean): void {
  store.set(sessionCookie(pendingStepCookieName(secure), '', secure, 0));
}

export function secondStepPath(next: string): string {
  return next === '/' ? SECOND_STEP_PATH : `${SECOND_STEP_PATH}?next=${encodeURIComponent(next)}`;
}
