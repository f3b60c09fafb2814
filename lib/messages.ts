/**
 * The catalogue: every message Chirpy shows a person or an API client, by code. Forms carry the
 * code (in a server action's returned state) and pages look the text up here, so a page never
 * matches a message by its wording and a crafted request cannot make it say anything else.
 * Add a message here, never inline in a handler or a page. No server-only import: client
 * components render these texts too.
 */
import { MAX_CHIRP_LENGTH } from './chirp-rules';

export const PRODUCT_NAME = 'Chirpy';

export const MIN_PASSWORD_LENGTH = 8;
// bcrypt reads only the first 72 bytes; a longer password would be silently cut, so it is refused.
export const MAX_PASSWORD_BYTES = 72;
export const MAX_PASSKEY_NAME_LENGTH = 60;

export const MESSAGES = {
  // Identical for an unknown email and a wrong password: the answer must not reveal accounts.
  incorrect_credentials: 'Incorrect email or password',
  email_taken: 'Email is already registered',
  invalid_email: 'email must be a valid email address',
  email_too_long: 'email is too long',
  password_too_short: `Password must be at least ${MIN_PASSWORD_LENGTH} characters`,
  password_too_long: `Password must be at most ${MAX_PASSWORD_BYTES} bytes (bcrypt ignores the rest)`,
  invalid_form: 'Check the form and try again',
  // One wording for every limit (which limit was hit is for the audit log, not for a guesser);
  // with the wait known, messageText says how long: "Try again in 5 minutes."
  rate_limited: 'Too many attempts. Try again later.',
  chirp_empty: 'Chirp is empty',
  chirp_too_long: `Chirp is too long (max ${MAX_CHIRP_LENGTH} characters)`,
  chirp_nul: 'Chirp must not contain NUL characters',
  chirp_not_yours: 'You can only delete your own chirps',
  signed_out: 'You are signed out. Sign in again to continue.',
  unavailable: 'Chirpy cannot reach its database right now. Try again in a moment.',
  internal_error: 'Something went wrong on our side. Try again.',
  // Too many sign-ins at once: the password-hash queue is full (lib/auth/hasher.ts).
  busy: 'Chirpy is busy right now. Try again in a moment.',
  session_not_found: 'Session not found',
  malformed_session_id: 'Session id must be a UUID',
  // The account page. A refusal says that nothing happened, so nobody wonders whether it half did.
  wrong_current_password: 'Your current password is incorrect. Nothing was changed.',
  // PUT /api/users with session cookies: the cookies alone may be a stolen copy.
  current_password_required:
    'Changing the email or password from a browser session needs the current password (current_password). Nothing was changed.',
  email_changed: 'Your email is changed. Every other session is signed out; this one stays signed in.',
  email_unchanged: 'That is already your email. Nothing was changed.',
  password_changed: 'Your password is changed. Every other session is signed out; this one stays signed in.',
  session_signed_out: 'That session is signed out.',
  session_already_ended: 'That session had already ended.',
  other_sessions_signed_out: 'Every other session is signed out.',
  no_other_sessions: 'You are not signed in anywhere else.',
  malformed_path: 'The path is not valid percent-encoded UTF-8',
  action_off_page: 'Server actions are posted to pages only',
  malformed_form: 'The form data does not match its Content-Type',
  json_required: 'Content-Type must be application/json',
  // Password resets. The request's answer is the same whether or not the address has an account
  // (and whether or not a limit stopped the mail): it must not tell a stranger who is registered.
  reset_link_sent: 'If an account exists for that address, we sent a link to reset its password. Check your inbox.',
  // One message for a used, expired, replaced or made-up link: which one it was helps nobody but a guesser.
  reset_link_invalid: 'This reset link is invalid, has expired, or was already used. Ask for a new one.',
  passwords_differ: 'The two passwords do not match',
  reset_disabled: 'Password resets are not available on this site',
  // Verified addresses (REQUIRE_EMAIL_VERIFICATION). Said only after the right password: it
  // reveals nothing a guesser could not already do with the account.
  email_unverified:
    'Confirm your email address before signing in: follow the link in the mail we sent you. A new link is on its way.',
  // The same for every address, whether or not it has an account waiting for confirmation.
  confirmation_link_sent:
    'If that address belongs to an account waiting for confirmation, we sent it a new link. Check your inbox.',
  confirmation_link_resent: 'We sent a new confirmation link. Check your inbox.',
  email_already_verified: 'Your email address is already confirmed.',
  // One message for a used, expired, replaced or made-up link.
  email_link_invalid: 'This link is invalid, has expired, or was already used.',
  email_confirmed: 'Your email address is confirmed.',
  email_change_pending:
    'We sent a confirmation link to the new address. Your email changes once it is followed; until then you sign in with the current one.',
  email_change_reverted:
    'Your address is back, any pending change is cancelled, and every session is signed out. Sign in again, and choose a new password if someone else may know it.',
  signed_up_confirm_email:
    'Your account is created. Follow the link we mailed you to confirm your address, then sign in.',
  // Two-step sign-in. The password was right, and the answer says so only by asking for the code:
  // an API client gets this with the challenge id, never a token.
  mfa_required: 'Enter the code from your authenticator app (or a recovery code) to finish signing in',
  // A wrong, reused or malformed code: which one it was would help only a guesser.
  mfa_code_invalid: 'That code is not right. Check your authenticator app and try again.',
  // Expired, used, unknown, out of tries, or the password changed meanwhile: sign in again.
  mfa_challenge_invalid: 'This sign-in has expired or was already used. Sign in again with your password.',
  totp_code_invalid: 'That code is not right. Check the time on your phone and try again. Nothing was changed.',
  totp_enrolment_started: 'Scan the QR code with your authenticator app, then enter the code it shows.',
  totp_enabled: 'Two-step sign-in is on. Save your recovery codes now: they are shown only this once.',
  totp_disabled: 'Two-step sign-in is off. Signing in needs only your password.',
  totp_already_on: 'Two-step sign-in is already on. Nothing was changed.',
  totp_not_pending: 'Start the set-up again: there is no authenticator app waiting to be confirmed.',
  totp_not_on: 'Two-step sign-in is not on. Nothing was changed.',
  recovery_codes_regenerated:
    'New recovery codes are below; the old ones no longer work. Save them now: they are shown only this once.',
  // Passkeys. One refusal for an unknown passkey, a bad signature, a spent or expired challenge:
  // which it was helps nobody but someone probing.
  passkey_rejected: 'That passkey was not accepted. Try again, or sign in with your password.',
  passkey_step_up_rejected: 'That passkey did not confirm it is you. Nothing was changed.',
  passkeys_unavailable: 'Passkeys are not set up on this site',
  passkey_added: 'Your passkey is added. You can sign in with it now.',
  passkey_already_registered: 'That passkey is already registered.',
  passkey_renamed: 'The passkey is renamed.',
  passkey_removed: 'The passkey is removed. It no longer signs in to this account.',
  passkey_not_found: 'That passkey is not on your account.',
  passkey_last_credential: 'That passkey is the only way left to sign in to this account, so it stays.',
  passkey_name_required: 'Give the passkey a name',
  passkey_name_too_long: `A passkey's name is at most ${MAX_PASSKEY_NAME_LENGTH} characters`,
  no_passkeys:
    'No passkeys yet. A passkey signs you in with your fingerprint, face or device PIN instead of a password.',
} as const;

export type MessageCode = keyof typeof MESSAGES;

export function isMessageCode(value: string): value is MessageCode {
  return Object.hasOwn(MESSAGES, value);
}

/** Whole minutes, rounded up: "Try again in 0 minutes" would be a lie. */
function waitText(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** The text of a code; for `rate_limited` with a known wait, the wait in minutes. */
export function messageText(code: MessageCode, detail: { retryAfterSeconds?: number | null } = {}): string {
  const wait = detail.retryAfterSeconds;
  if (code === 'rate_limited' && wait !== undefined && wait !== null) {
    return `Too many attempts. Try again in ${waitText(wait)}.`;
  }
  return MESSAGES[code];
}

/**
 * The account page's activity list: what an audit event (lib/audit.ts) means to the account's
 * owner, by its type and, where it says more, its detail (lib/account-activity.ts picks one).
 */
export const ACCOUNT_EVENT_TEXT = {
  signed_up: 'Account created',
  signed_in: 'Signed in',
  sign_in_failed: 'Sign-in failed: wrong password',
  sign_in_failed_current_password: 'Wrong current password when changing the email or password',
  sign_in_failed_passkey: 'Sign-in failed: a passkey was not accepted',
  sign_in_failed_passkey_counter:
    'Passkey refused: its signature counter went back, so it may be a copy. Remove it if you do not recognise this.',
  passkey_added: 'Passkey added',
  passkey_renamed: 'Passkey renamed',
  passkey_removed: 'Passkey removed',
  session_ended: 'Session ended',
  session_ended_signed_out: 'Session ended: signed out',
  session_ended_other_session: 'Session ended by another session',
  session_ended_credentials_changed: 'Session ended after a credential change',
  session_ended_password_reset: 'Session ended by a password reset',
  reuse_detected: 'Reuse detected: session ended',
  password_changed: 'Password changed',
  password_reset: 'Password reset with an emailed link',
  email_changed: 'Email changed',
  email_verification_sent: 'Confirmation link mailed',
  email_verification_sent_new_address: 'Confirmation link mailed to a new address',
  email_verified: 'Email address confirmed',
  email_change_requested: 'Email change requested: waiting for the new address to confirm',
  email_change_reverted: 'Email change undone with the link sent to the old address; every session ended',
  sign_in_failed_email_unverified: 'Sign-in refused: email address not confirmed yet',
  rate_limited: 'Rate limited',
  rate_limited_sign_in: 'Rate limited: too many sign-in attempts',
  rate_limited_account_failures: 'Sign-ins refused: too many wrong passwords from anywhere (a password reset lifts it)',
  rate_limited_session: 'Rate limited: too many session renewals',
  rate_limited_second_factor: 'Rate limited: too many wrong two-step codes',
  sign_in_failed_second_factor: 'Sign-in failed: wrong two-step code',
  totp_enabled: 'Two-step sign-in turned on',
  totp_disabled: 'Two-step sign-in turned off',
  totp_disabled_operator: 'Two-step sign-in removed by an administrator (lost phone and recovery codes)',
  recovery_codes_regenerated: 'New recovery codes made (the old ones stopped working)',
  recovery_code_used: 'Recovery code used to sign in',
} as const;

export type AccountEventTextCode = keyof typeof ACCOUNT_EVENT_TEXT;
