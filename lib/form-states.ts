import type { MessageCode } from './messages';

/**
 * What the browser's forms and their server actions share: the states an action hands back. No
 * server-only import: client components render these states. How a validation rule names its
 * failure by a catalogue code is lib/rule-codes.ts.
 */

/**
 * Why a form's action refused, whatever the form: the catalogue code, and the wait when a limit
 * stopped it. Each form's state is built from it (lib/declared-action.ts).
 */
export type FormRefusal = { code: MessageCode; retryAfterSeconds: number | null };

/** Sign-in and sign-up: what went wrong, and the email to put back in the field (never the password). */
export type AuthFormState = { code: MessageCode | null; email: string; retryAfterSeconds: number | null };
export const INITIAL_AUTH_FORM: AuthFormState = { code: null, email: '', retryAfterSeconds: null };

/** The composer: what went wrong, and the text to show in it (empty after a successful post). */
export type ComposerState = { code: MessageCode | null; draft: string };
export const INITIAL_COMPOSER: ComposerState = { code: null, draft: '' };

/**
 * One form deletes for the whole list: `chirpId` says beside which chirp an error belongs, and
 * `confirming` which chirp's Delete was pressed, to ask "for good?" beside it (the question a page
 * without JavaScript gets from the server; with it the list asks by itself).
 */
export type DeleteChirpState = { code: MessageCode | null; chirpId: string | null; confirming: string | null };
export const INITIAL_DELETE_CHIRP: DeleteChirpState = { code: null, chirpId: null, confirming: null };

/**
 * A refused sign-in. Written to accept both the plain `{ ok: false }` and the reasons a rate
 * limiter adds (`credentials`, `rate_limited` with the wait), so the form says which it was.
 */
export type SignInRefusal = {
  ok: false;
  reason?: 'credentials' | 'rate_limited' | 'email_unverified';
  retryAfterSeconds?: number;
};

export function signInRefusalState(refusal: SignInRefusal, email: string): AuthFormState {
  if (refusal.reason === 'rate_limited') {
    return { code: 'rate_limited', email, retryAfterSeconds: refusal.retryAfterSeconds ?? null };
  }
  // The form then offers "send the link again" for this address.
  if (refusal.reason === 'email_unverified') return { code: 'email_unverified', email, retryAfterSeconds: null };
  return { code: 'incorrect_credentials', email, retryAfterSeconds: null };
}

/**
 * The account page's forms: a refusal (`code`, with the wait when a limit stopped it) or a
 * confirmation (`notice`), never both. The email form also puts the new address back after a
 * refusal; nothing puts a password back.
 */
export type AccountFormState = {
  code: MessageCode | null;
  notice: MessageCode | null;
  retryAfterSeconds: number | null;
};
export const INITIAL_ACCOUNT_FORM: AccountFormState = { code: null, notice: null, retryAfterSeconds: null };

export type EmailChangeState = AccountFormState & { email: string };
export const INITIAL_EMAIL_CHANGE: EmailChangeState = { ...INITIAL_ACCOUNT_FORM, email: '' };

export function accountRefusal(code: MessageCode, retryAfterSeconds: number | null = null): AccountFormState {
  return { code, notice: null, retryAfterSeconds };
}

/** An account form's state for a refusal a declared action hands over. */
export function accountFormRefusal({ code, retryAfterSeconds }: FormRefusal): AccountFormState {
  return accountRefusal(code, retryAfterSeconds);
}

export function accountNotice(notice: MessageCode): AccountFormState {
  return { code: null, notice, retryAfterSeconds: null };
}

/** What lib/auth/password-account.ts answers to an email or password change (the user left out). */
export type AccountChangeOutcome =
  | { ok: true; pendingEmail?: string }
  | {
      ok: false;
      reason: 'wrong_password' | 'current_password_required' | 'not_found' | 'email_taken' | 'passkey_rejected';
    }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

// `not_found`: the account was deleted under a live page; to its owner that is being signed out.
const CHANGE_REFUSALS = {
  wrong_password: 'wrong_current_password',
  current_password_required: 'current_password_required',
  not_found: 'signed_out',
  email_taken: 'email_taken',
  passkey_rejected: 'passkey_step_up_rejected',
} as const satisfies Record<string, MessageCode>;

/** A refused change (or the step-up before it) as a form's refusal. */
export function changeRefusal(refused: Extract<AccountChangeOutcome, { ok: false }>): FormRefusal {
  if (refused.reason === 'rate_limited') return { code: 'rate_limited', retryAfterSeconds: refused.retryAfterSeconds };
  return { code: CHANGE_REFUSALS[refused.reason], retryAfterSeconds: null };
}

export function accountChangeState(outcome: AccountChangeOutcome, notice: MessageCode): AccountFormState {
  if (outcome.ok) return accountNotice(notice);
  const { code, retryAfterSeconds } = changeRefusal(outcome);
  return accountRefusal(code, retryAfterSeconds);
}

/**
 * The email form's answer. After a change the field empties (the page shows the new address);
 * after a refusal it keeps what was typed. Asking for the address one already has changes
 * nothing and says so, once the password is confirmed.
 */
export function emailChangeState(outcome: AccountChangeOutcome, unchanged: boolean, typed: string): EmailChangeState {
  const pending = outcome.ok && outcome.pendingEmail !== undefined;
  const state = accountChangeState(
    outcome,
    unchanged ? 'email_unchanged' : pending ? 'email_change_pending' : 'email_changed',
  );
  return { ...state, email: outcome.ok ? '' : typed };
}

/**
 * The session list's Sign out. A session that is no longer there was ended meanwhile (from
 * another tab or device, or it expired): what was asked for is done, so it is said plainly, not
 * as an error.
 */
export function sessionEndState(outcome: { ok: true } | { ok: false; reason: 'not_found' }): AccountFormState {
  return accountNotice(outcome.ok ? 'session_signed_out' : 'session_already_ended');
}

/** "Sign out everywhere else", by how many sessions it ended. */
export function otherSessionsEndState(ended: number): AccountFormState {
  return accountNotice(ended > 0 ? 'other_sessions_signed_out' : 'no_other_sessions');
}

/** The forgotten-password form: its one answer (`notice`), or what was wrong with the form. */
export type ResetRequestState = AccountFormState & { email: string };
export const INITIAL_RESET_REQUEST: ResetRequestState = { ...INITIAL_ACCOUNT_FORM, email: '' };

/**
 * What the forgotten-password form says once the address is valid: the same for an address with
 * an account, one without, and one over a limit (nothing is sent then). Any difference would
 * tell a stranger who has an account here.
 */
export const RESET_REQUESTED: ResetRequestState = { ...accountNotice('reset_link_sent'), email: '' };

/** The reset page's refusals: one message for every bad link, the wait for a limit. */
export function resetRefusalState(
  refusal: { ok: false; reason: 'invalid_token' } | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number },
): AccountFormState {
  if (refusal.reason === 'rate_limited') {
    return { code: 'rate_limited', notice: null, retryAfterSeconds: refusal.retryAfterSeconds };
  }
  return accountRefusal('reset_link_invalid');
}

/**
 * The address a form held, to put back in its field after a refusal (the schemas validate it;
 * this only bounds what is echoed).
 */
export function typedEmail(formData: FormData): string {
  const email = formData.get('email');
  return typeof email === 'string' ? email.slice(0, 320) : '';
}

/** The second sign-in step's refusals: a wrong code, a step that is over (sign in again), a limit. */
export function secondStepRefusal(
  refused:
    | { ok: false; reason: 'challenge_invalid' | 'wrong_code' }
    | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number },
): AccountFormState {
  if (refused.reason === 'rate_limited') return accountRefusal('rate_limited', refused.retryAfterSeconds);
  return accountRefusal(refused.reason === 'wrong_code' ? 'mfa_code_invalid' : 'mfa_challenge_invalid');
}

/**
 * The account page's two-step sign-in forms: the usual refusal or confirmation, and the recovery
 * codes when a set was just made. They are shown from this state only, once: the database keeps
 * their hashes.
 */
export type TotpFormState = AccountFormState & { recoveryCodes: string[] };
export const INITIAL_TOTP_FORM: TotpFormState = { ...INITIAL_ACCOUNT_FORM, recoveryCodes: [] };

export function totpRefusal({ code, retryAfterSeconds }: FormRefusal): TotpFormState {
  return { ...accountRefusal(code, retryAfterSeconds), recoveryCodes: [] };
}

export function totpNotice(notice: MessageCode, recoveryCodes: string[] = []): TotpFormState {
  return { ...accountNotice(notice), recoveryCodes };
}
