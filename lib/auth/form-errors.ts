import { MESSAGES } from '../messages';
import { PASSWORD_TOO_LONG, PASSWORD_TOO_SHORT } from './password';

const {
  email_taken: EMAIL_TAKEN,
  incorrect_credentials: INCORRECT_CREDENTIALS,
  invalid_email: INVALID_EMAIL,
} = MESSAGES;

/**
 * The sign-in and sign-up forms work without JavaScript, so their errors travel back in the
 * redirect's query string. Only a short code travels: the page shows our own wording for it, so
 * a crafted link cannot make the page say something we did not write.
 */
const FORM_ERRORS = {
  credentials: INCORRECT_CREDENTIALS,
  email_taken: EMAIL_TAKEN,
  email: 'Enter a valid email address',
  password_short: PASSWORD_TOO_SHORT,
  password_long: PASSWORD_TOO_LONG,
  invalid: 'Check the form and try again',
  rate_limited: MESSAGES.rate_limited,
} as const;

type FormErrorCode = keyof typeof FORM_ERRORS;

const CODE_BY_MESSAGE = new Map<string, FormErrorCode>([
  [INCORRECT_CREDENTIALS, 'credentials'],
  [EMAIL_TAKEN, 'email_taken'],
  [INVALID_EMAIL, 'email'],
  ['email is required', 'email'],
  ['email is too long', 'email'],
  [PASSWORD_TOO_SHORT, 'password_short'],
  [PASSWORD_TOO_LONG, 'password_long'],
  [MESSAGES.rate_limited, 'rate_limited'],
]);

function isFormErrorCode(code: string): code is FormErrorCode {
  return Object.hasOwn(FORM_ERRORS, code);
}

/** The form page to go back to, carrying the code of what went wrong (and where to go next). */
export function formErrorPath(page: '/login' | '/signup', message: string, next?: string): string {
  const params = new URLSearchParams({ error: CODE_BY_MESSAGE.get(message) ?? 'invalid' });
  if (next !== undefined && next !== '/') params.set('next', next);
  return `${page}?${params.toString()}`;
}

export function formErrorMessage(code: string | undefined): string | null {
  return code !== undefined && isFormErrorCode(code) ? FORM_ERRORS[code] : null;
}
