import type { z } from 'zod';
import { isMessageCode, MESSAGES, type MessageCode } from './messages';

/**
 * What the browser's forms and their server actions share: the states an action hands back, and
 * the way a validation rule names its failure by a catalogue code. No server-only import: client
 * components render these states.
 */

/** Sign-in and sign-up: what went wrong, and the email to put back in the field (never the password). */
export type AuthFormState = { code: MessageCode | null; email: string; retryAfterSeconds: number | null };
export const INITIAL_AUTH_FORM: AuthFormState = { code: null, email: '', retryAfterSeconds: null };

/** The composer: what went wrong, and the text to show in it (empty after a successful post). */
export type ComposerState = { code: MessageCode | null; draft: string };
export const INITIAL_COMPOSER: ComposerState = { code: null, draft: '' };

export type DeleteChirpState = { code: MessageCode | null };
export const INITIAL_DELETE_CHIRP: DeleteChirpState = { code: null };

/**
 * The options for a zod refinement whose failure a form can name: the catalogue's text (what the
 * JSON API answers) and its code (what a form's state carries).
 */
export function coded(code: MessageCode): { error: string; params: { code: MessageCode } } {
  return { error: MESSAGES[code], params: { code } };
}

/** The code of the first problem zod found; a rule without one (a missing field) is `invalid_form`. */
export function issueCode(error: z.ZodError): MessageCode {
  const issue = error.issues[0];
  const code: unknown = issue?.code === 'custom' ? issue.params?.code : undefined;
  return typeof code === 'string' && isMessageCode(code) ? code : 'invalid_form';
}

/**
 * A refused sign-in. Written to accept both the plain `{ ok: false }` and the reasons a rate
 * limiter adds (`credentials`, `rate_limited` with the wait), so the form says which it was.
 */
export type SignInRefusal = { ok: false; reason?: 'credentials' | 'rate_limited'; retryAfterSeconds?: number };

export function signInRefusalState(refusal: SignInRefusal, email: string): AuthFormState {
  if (refusal.reason === 'rate_limited') {
    return { code: 'rate_limited', email, retryAfterSeconds: refusal.retryAfterSeconds ?? null };
  }
  return { code: 'incorrect_credentials', email, retryAfterSeconds: null };
}
