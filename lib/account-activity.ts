import { describeDevice } from './auth/device';
import type { AuthEvent } from './db/schema';
import { ACCOUNT_EVENT_TEXT, type AccountEventTextCode } from './messages';

/**
 * The account page's "Recent activity": an audit event as its owner reads it. Only what a person
 * recognises is kept (what happened, when, on what, from where); the session id and the raw user
 * agent stay behind. The log never holds a password, token or hash to begin with (lib/audit.ts).
 */

export type AccountActivity = { id: number; text: string; at: Date; device: string; ip: string | null };

/** The columns this needs: a caller cannot hand over more by accident. */
export type AuthEventFacts = Pick<AuthEvent, 'id' | 'type' | 'detail' | 'createdAt' | 'userAgent' | 'ip'>;

// Who ended a session (lib/auth/sessions.ts SessionEndedBy), as the list says it.
const SESSION_ENDED_BY = new Map<string, AccountEventTextCode>([
  ['signed_out', 'session_ended_signed_out'],
  ['other_session', 'session_ended_other_session'],
  ['credentials_changed', 'session_ended_credentials_changed'],
  ['password_reset', 'session_ended_password_reset'],
]);

// Which limit was hit (lib/config.ts RATE_LIMIT_RULES). Sign-up and password-reset limits name no
// account (a reset limit recorded against one would be work done only for known addresses), so
// never show here.
const RATE_LIMITED_BY = new Map<string, AccountEventTextCode>([
  ['login_ip', 'rate_limited_sign_in'],
  ['login_account', 'rate_limited_sign_in'],
  ['login_account_failures', 'rate_limited_account_failures'],
  ['bearer_refresh', 'rate_limited_session'],
  ['cookie_rotation', 'rate_limited_session'],
  ['second_factor', 'rate_limited_second_factor'],
  ['passkey_options', 'rate_limited_sign_in'],
]);

// What failed, when not the password at sign-in: a wrong current password given to change the
// email or password, an unconfirmed address, a wrong two-step code, or a passkey refused (its
// counter going back is a copy's sign).
const SIGN_IN_FAILED_AT = new Map<string, AccountEventTextCode>([
  ['current_password', 'sign_in_failed_current_password'],
  ['email_unverified', 'sign_in_failed_email_unverified'],
  ['second_factor', 'sign_in_failed_second_factor'],
  ['passkey', 'sign_in_failed_passkey'],
  ['passkey_counter', 'sign_in_failed_passkey_counter'],
]);

// Which address a confirmation link went to (lib/auth/email-verification.ts).
const VERIFICATION_SENT_TO = new Map<string, AccountEventTextCode>([
  ['new_address', 'email_verification_sent_new_address'],
]);

// Who turned the second factor off, when it was not the owner from the account page.
const TOTP_DISABLED_BY = new Map<string, AccountEventTextCode>([['operator', 'totp_disabled_operator']]);

const BY_DETAIL: Partial<Record<AuthEvent['type'], Map<string, AccountEventTextCode>>> = {
  sign_in_failed: SIGN_IN_FAILED_AT,
  totp_disabled: TOTP_DISABLED_BY,
  session_ended: SESSION_ENDED_BY,
  rate_limited: RATE_LIMITED_BY,
  email_verification_sent: VERIFICATION_SENT_TO,
};

/** An unknown detail (written by a newer release) falls back to the plain text of the type. */
function textCode(type: AuthEvent['type'], detail: string | null): AccountEventTextCode {
  return (detail === null ? undefined : BY_DETAIL[type]?.get(detail)) ?? type;
}

export function toAccountActivity(event: AuthEventFacts): AccountActivity {
  return {
    id: event.id,
    text: ACCOUNT_EVENT_TEXT[textCode(event.type, event.detail)],
    at: event.createdAt,
    device: describeDevice(event.userAgent),
    ip: event.ip,
  };
}
