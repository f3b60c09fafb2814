/**
 * The catalogue: every message Chirpy shows a person or an API client, by code. Forms carry the
 * code (in a redirect's query or an action's state) and pages look the text up here, so a page
 * never matches a message by its wording and a crafted link cannot make it say anything else.
 * Add a message here, never inline in a handler or a page.
 */
export const MIN_PASSWORD_LENGTH = 8;
// bcrypt reads only the first 72 bytes; a longer password would be silently cut, so it is refused.
export const MAX_PASSWORD_BYTES = 72;

export const MESSAGES = {
  // Identical for an unknown email and a wrong password: the answer must not reveal accounts.
  incorrect_credentials: 'Incorrect email or password',
  email_taken: 'Email is already registered',
  invalid_email: 'email must be a valid email address',
  password_too_short: `Password must be at least ${MIN_PASSWORD_LENGTH} characters`,
  password_too_long: `Password must be at most ${MAX_PASSWORD_BYTES} bytes (bcrypt ignores the rest)`,
  invalid_form: 'Check the form and try again',
  // One wording for every limit: which limit was hit is for the audit log, not for a guesser.
  rate_limited: 'Too many attempts: wait a moment and try again',
  session_not_found: 'Session not found',
  malformed_session_id: 'Session id must be a UUID',
} as const;

export type MessageCode = keyof typeof MESSAGES;

export function isMessageCode(value: string): value is MessageCode {
  return Object.hasOwn(MESSAGES, value);
}
