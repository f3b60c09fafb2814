import { describe, expect, it } from 'vitest';
import { credentialsSchema, loginSchema } from './auth/credentials';
import { newChirpSchema } from './chirps';
import { issueCode, signInRefusalState } from './forms';
import { MESSAGES } from './messages';

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
