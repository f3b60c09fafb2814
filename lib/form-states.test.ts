import { describe, expect, it } from 'vitest';
import {
  credentialsSchema,
  currentPasswordSchema,
  emailChangeSchema,
  loginSchema,
  passwordChangeSchema,
} from './auth/password-account';
import { newChirpSchema } from './chirps';
import {
  accountChangeState,
  emailChangeState,
  otherSessionsEndState,
  sessionEndState,
  signInRefusalState,
  typedEmail,
} from './form-states';
import { MESSAGES, messageText } from './messages';
import { issueCode } from './rule-codes';

/** What a form's state says for an input, by code: the form never reads the message's wording. */
function codeFor(result: { success: boolean; error?: Parameters<typeof issueCode>[0] }) {
  if (result.success || !result.error) throw new Error('expected the input to be refused');
  return issueCode(result.error);
}

describe('issueCode: which rule refused the sign-up form', () => {
  it.each([
    ['a password under 8 characters', 'password_too_short', { email: 'ada@example.com', password: 'short' }],
    ['a password over 72 bytes', 'password_too_long', { email: 'ada@example.com', password: 'é'.repeat(37) }],
    ['an invalid email', 'invalid_email', { email: 'ada', password: 'long enough' }],
    ['a blank email', 'invalid_email', { email: '   ', password: 'long enough' }],
    [
      'an email over 254 characters',
      'email_too_long',
      { email: `${'a'.repeat(250)}@example.com`, password: 'long enough' },
    ],
    ['a missing password (no rule of ours names it)', 'invalid_form', { email: 'ada@example.com' }],
    ['a field that is not text (a file)', 'invalid_form', { email: new Blob(['x']), password: 'long enough' }],
  ])('%s → %s', (_label, code, input) => {
    expect(codeFor(credentialsSchema.safeParse(input))).toBe(code);
  });

  it('each coded rule answers the JSON API with the catalogue text of its code', () => {
    const result = credentialsSchema.safeParse({ email: 'ada@example.com', password: 'short' });
    expect(result.error?.issues[0]?.message).toBe(MESSAGES.password_too_short);
  });

  it('the sign-in form refuses a password bcrypt would cut, by code', () => {
    expect(codeFor(loginSchema.safeParse({ email: 'ada@example.com', password: 'a'.repeat(73) }))).toBe(
      'password_too_long',
    );
  });
});

describe('issueCode: which rule refused the composer', () => {
  it.each([
    ['an empty chirp', 'chirp_empty', ''],
    ['only spaces', 'chirp_empty', '   '],
    ['141 characters', 'chirp_too_long', 'a'.repeat(141)],
    ['141 emoji', 'chirp_too_long', '🐦'.repeat(141)],
    ['a NUL character', 'chirp_nul', 'a\u0000b'],
  ])('%s → %s', (_label, code, body) => {
    expect(codeFor(newChirpSchema.safeParse({ body }))).toBe(code);
  });

  it('accepts 140 emoji: the limit counts characters, not UTF-16 units', () => {
    expect(newChirpSchema.safeParse({ body: '🐦'.repeat(140) }).success).toBe(true);
  });
});

describe('signInRefusalState', () => {
  it('a refusal without a reason, or for the credentials, is the one message for both unknown email and wrong password', () => {
    const expected = { code: 'incorrect_credentials', email: 'ada@example.com', retryAfterSeconds: null };
    expect(signInRefusalState({ ok: false }, 'ada@example.com')).toEqual(expected);
    expect(signInRefusalState({ ok: false, reason: 'credentials' }, 'ada@example.com')).toEqual(expected);
  });

  it('a rate-limited sign-in carries the wait, for the form to say how long', () => {
    expect(
      signInRefusalState({ ok: false, reason: 'rate_limited', retryAfterSeconds: 240 }, 'ada@example.com'),
    ).toEqual({ code: 'rate_limited', email: 'ada@example.com', retryAfterSeconds: 240 });
  });
});

describe('issueCode: which rule refused an account form', () => {
  it.each([
    ['a new password under 8 characters', passwordChangeSchema, { password: 'short' }, 'password_too_short'],
    ['a new password over 72 bytes', passwordChangeSchema, { password: 'é'.repeat(37) }, 'password_too_long'],
    ['an empty current password', currentPasswordSchema, { current_password: '' }, 'invalid_form'],
    [
      'a current password bcrypt would cut',
      currentPasswordSchema,
      { current_password: 'a'.repeat(73) },
      'password_too_long',
    ],
    ['an invalid new email', emailChangeSchema, { email: 'ada' }, 'invalid_email'],
  ] as const)('%s → %s', (_label, schema, input, code) => {
    expect(codeFor(schema.safeParse(input))).toBe(code);
  });
});

describe('accountChangeState: what the email and password forms say', () => {
  it('a wrong current password is its own message, saying nothing was changed', () => {
    const state = accountChangeState({ ok: false, reason: 'wrong_password' }, 'password_changed');
    expect(state).toEqual({ code: 'wrong_current_password', notice: null, retryAfterSeconds: null });
    expect(messageText('wrong_current_password')).toMatch(/current password.*Nothing was changed/);
  });

  it('a limit carries the wait, which the form writes in minutes', () => {
    const state = accountChangeState({ ok: false, reason: 'rate_limited', retryAfterSeconds: 300 }, 'password_changed');
    expect(state).toEqual({ code: 'rate_limited', notice: null, retryAfterSeconds: 300 });
    expect(messageText('rate_limited', state)).toBe('Too many attempts. Try again in 5 minutes.');
  });

  it('an address someone else has, and an account gone under the page, are refusals too', () => {
    expect(accountChangeState({ ok: false, reason: 'email_taken' }, 'email_changed').code).toBe('email_taken');
    expect(accountChangeState({ ok: false, reason: 'not_found' }, 'email_changed').code).toBe('signed_out');
  });

  it('a change is confirmed by the notice given, with no error', () => {
    expect(accountChangeState({ ok: true }, 'password_changed')).toEqual({
      code: null,
      notice: 'password_changed',
      retryAfterSeconds: null,
    });
  });
});

describe('emailChangeState', () => {
  it('keeps the typed address after a refusal, and empties the field after a change', () => {
    expect(emailChangeState({ ok: false, reason: 'wrong_password' }, false, 'new@example.com')).toMatchObject({
      code: 'wrong_current_password',
      email: 'new@example.com',
    });
    expect(emailChangeState({ ok: true }, false, 'new@example.com')).toEqual({
      code: null,
      notice: 'email_changed',
      retryAfterSeconds: null,
      email: '',
    });
  });

  it('says so when the address asked for is already the account’s', () => {
    expect(emailChangeState({ ok: true }, true, 'same@example.com').notice).toBe('email_unchanged');
  });
});

describe('ending sessions from the list', () => {
  it('confirms one ended, and says plainly when it had already ended (not an error)', () => {
    expect(sessionEndState({ ok: true })).toEqual({
      code: null,
      notice: 'session_signed_out',
      retryAfterSeconds: null,
    });
    expect(sessionEndState({ ok: false, reason: 'not_found' })).toEqual({
      code: null,
      notice: 'session_already_ended',
      retryAfterSeconds: null,
    });
  });

  it('"Sign out everywhere else" says whether there was anywhere else', () => {
    expect(otherSessionsEndState(2).notice).toBe('other_sessions_signed_out');
    expect(otherSessionsEndState(0).notice).toBe('no_other_sessions');
  });
});

describe('typedEmail', () => {
  it('echoes text only, bounded', () => {
    const form = new FormData();
    form.set('email', 'x'.repeat(400));
    expect(typedEmail(form)).toHaveLength(320);
    const file = new FormData();
    file.set('email', new Blob(['x']));
    expect(typedEmail(file)).toBe('');
    expect(typedEmail(new FormData())).toBe('');
  });
});
