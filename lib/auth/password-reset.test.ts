import bcrypt from 'bcrypt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { changePasswordWith } from '@/test/account-changes';
import { apiSession, browserSession, PASSWORD, refreshTokenRows, signUp, uniqueEmail, userRow } from '@/test/fixtures';
import {
  APP_URL,
  expireResetToken,
  linkIn,
  mailCatcherForThisFile,
  mailedToken,
  resetTokenRow,
  resetTokenRows,
} from '@/test/password-reset';
import { accessTokenClaims, recordDatabaseWork } from '@/test/session-helpers';
import { listRecentAuthEvents } from '../audit';
import type { RequestContext } from '../http/request-context';
import { validateRefreshToken } from './bearer-refresh';
import { verifyCredentials } from './password-account';
import {
  createResetTokenValue,
  hashResetToken,
  isResetTokenUsable,
  requestPasswordReset,
  resetFormSchema,
  resetPassword,
} from './password-reset';
import { findSessionUser } from './session-check';
import { resetPasswordAndSignIn } from './sign-in';

const HERE: RequestContext = { ip: '198.51.100.80', userAgent: 'Mozilla/5.0 (reset test)' };
const NEW_PASSWORD = 'a brand new passphrase';

const { catcher } = mailCatcherForThisFile();

afterEach(() => {
  vi.restoreAllMocks();
});

describe('requestPasswordReset', () => {
  it('mails a link to the address: 32 random bytes as hex, stored only as their SHA-256, valid 30 minutes', async () => {
    const user = await signUp();
    const requestedAt = Date.now();

    const token = await mailedToken(catcher(), user.email, HERE);

    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const rows = await resetTokenRows();
    expect(rows).toEqual([
      expect.objectContaining({ userId: user.id, tokenHash: hashResetToken(token), usedAt: null }),
    ]);
    expect(JSON.stringify(rows)).not.toContain(token);
    const lifetime = (rows[0]?.expiresAt.getTime() ?? 0) - requestedAt;
    expect(lifetime).toBeGreaterThan(29 * 60 * 1000);
    expect(lifetime).toBeLessThanOrEqual(30 * 60 * 1000 + 5000);
  });

  it('writes a mail with the product, the link on APP_URL, the expiry and "ignore it", in text and HTML', async () => {
    const user = await signUp();

    const token = await mailedToken(catcher(), user.email, HERE);

    const [mail] = catcher().mails;
    expect(mail).toMatchObject({
      from: 'no-reply@chirpy.example.com',
      to: [user.email],
      subject: 'Reset your Chirpy password',
    });
    const link = `${APP_URL}/reset-password?token=${token}`;
    expect(linkIn(mail ?? expect.fail('no mail'))).toBe(link);
    for (const part of [mail?.text, mail?.html]) {
      expect(part).toContain('Chirpy');
      expect(part).toContain(link);
      expect(part).toContain('within 30 minutes');
      expect(part).toContain('If you did not ask for this, ignore this mail');
    }
    expect(mail?.html).toContain(`<a href="${link}">`);
  });

  it('follows PASSWORD_RESET_TTL_MINUTES, in the row and in the mail', async () => {
    vi.stubEnv('PASSWORD_RESET_TTL_MINUTES', '5');
    const user = await signUp();

    await mailedToken(catcher(), user.email, HERE);

    const [row] = await resetTokenRows();
    expect((row?.expiresAt.getTime() ?? 0) - (row?.createdAt.getTime() ?? 0)).toBe(5 * 60 * 1000);
    expect(catcher().mails[0]?.text).toContain('within 5 minutes');
  });

  it('for an unknown address stores nothing and sends nothing', async () => {
    const outcome = await requestPasswordReset(uniqueEmail(), APP_URL, HERE);

    if (!outcome.ok) throw new Error('expected the request to be taken');
    await outcome.deliver();
    expect(await resetTokenRows()).toEqual([]);
    expect(catcher().mails).toEqual([]);
  });

  it('does the same database work for a known and an unknown address before deliver(), and stores and sends nothing', async () => {
    const user = await signUp();

    const known = await recordDatabaseWork(() => requestPasswordReset(user.email, APP_URL, HERE));
    const unknown = await recordDatabaseWork(() => requestPasswordReset(uniqueEmail(), APP_URL, HERE));

    expect(known.statements).toEqual(unknown.statements);
    // The two limits' counters, each one round trip; nothing that depends on the account.
    expect(known.statements).toEqual([
      expect.stringMatching(/^insert into rate_limits/),
      expect.stringMatching(/^insert into rate_limits/),
    ]);
    expect(await resetTokenRows()).toEqual([]);
    expect(catcher().mails).toEqual([]);
  });

  it('stores the token in deliver(), after the answer, with the same statement for a known and an unknown address', async () => {
    const user = await signUp();
    const known = await requestPasswordReset(user.email, APP_URL, HERE);
    const unknown = await requestPasswordReset(uniqueEmail(), APP_URL, HERE);
    if (!known.ok || !unknown.ok) throw new Error('expected both requests to be taken');

    const knownWork = await recordDatabaseWork(known.deliver);
    const unknownWork = await recordDatabaseWork(unknown.deliver);

    expect(knownWork.statements).toEqual(unknownWork.statements);
    expect(knownWork.statements).toEqual([
      expect.stringMatching(/^insert into password_reset_tokens .* from users where email = \$\d+ /),
    ]);
    expect(await resetTokenRows()).toEqual([expect.objectContaining({ userId: user.id })]);
    expect(catcher().mails.map((mail) => mail.to)).toEqual([[user.email]]);
  });

  it('replaces the previous token: the old link stops working, the new one works', async () => {
    const user = await signUp();
    const first = await mailedToken(catcher(), user.email, HERE);

    const second = await mailedToken(catcher(), user.email, HERE);

    expect(second).not.toBe(first);
    expect(await isResetTokenUsable(first)).toBe(false);
    expect(await resetPassword(first, NEW_PASSWORD, HERE)).toEqual({ ok: false, reason: 'invalid_token' });
    expect(await verifyCredentials(user.email, PASSWORD)).toMatchObject({ ok: true });
    expect(await resetPassword(second, NEW_PASSWORD, HERE)).toMatchObject({ ok: true });
    expect(await resetTokenRows()).toHaveLength(1);
  });

  it('gives a new link after one was used', async () => {
    const user = await signUp();
    await resetPassword(await mailedToken(catcher(), user.email, HERE), NEW_PASSWORD, HERE);

    const again = await mailedToken(catcher(), user.email, HERE);

    expect(await resetPassword(again, 'yet another passphrase', HERE)).toMatchObject({ ok: true });
  });

  it('counts requests per address and per email: over either, nothing is stored or sent', async () => {
    vi.stubEnv('RATE_LIMIT_RESET_EMAIL_MAX', '2');
    const user = await signUp();
    await mailedToken(catcher(), user.email, HERE);
    await mailedToken(catcher(), user.email, { ...HERE, ip: '198.51.100.81' });
    const stored = await resetTokenRows();

    // The email's limit holds whichever address asks: one inbox is not flooded from many places.
    const third = await requestPasswordReset(user.email, APP_URL, { ...HERE, ip: '198.51.100.82' });

    expect(third).toEqual({ ok: false, reason: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    expect(await resetTokenRows()).toEqual(stored);
    expect(catcher().mails).toHaveLength(2);
  });

  it('limits one address asking for many accounts, known or not, and names no account in the audit log', async () => {
    vi.stubEnv('RATE_LIMIT_RESET_IP_MAX', '2');
    const user = await signUp();
    await requestPasswordReset(uniqueEmail(), APP_URL, HERE);
    await requestPasswordReset(uniqueEmail(), APP_URL, HERE);

    const refused = await requestPasswordReset(user.email, APP_URL, HERE);

    expect(refused).toMatchObject({ ok: false, reason: 'rate_limited' });
    expect(await resetTokenRows()).toEqual([]);
    expect((await listRecentAuthEvents(user.id)).map((event) => event.type)).toEqual(['signed_up']);
  });
});

describe('resetPassword', () => {
  it('sets the new password, spends the token, and records password_reset', async () => {
    const user = await signUp();
    const token = await mailedToken(catcher(), user.email, HERE);

    const reset = await resetPassword(token, NEW_PASSWORD, HERE);

    expect(reset).toMatchObject({ ok: true, user: { id: user.id, email: user.email } });
    expect(await bcrypt.compare(NEW_PASSWORD, (await userRow(user.id))?.hashedPassword ?? '')).toBe(true);
    expect(await verifyCredentials(user.email, PASSWORD)).toMatchObject({ ok: false });
    expect((await resetTokenRow(token))?.usedAt).toBeInstanceOf(Date);
    const [latest] = await listRecentAuthEvents(user.id);
    expect(latest).toMatchObject({ type: 'password_reset', userId: user.id, ip: HERE.ip, userAgent: HERE.userAgent });
  });

  it('works once: the same link again is refused and changes nothing', async () => {
    const user = await signUp();
    const token = await mailedToken(catcher(), user.email, HERE);
    await resetPassword(token, NEW_PASSWORD, HERE);
    const hashAfterReset = (await userRow(user.id))?.hashedPassword;

    expect(await resetPassword(token, 'someone else entirely', HERE)).toEqual({ ok: false, reason: 'invalid_token' });
    expect((await userRow(user.id))?.hashedPassword).toBe(hashAfterReset);
    expect(await isResetTokenUsable(token)).toBe(false);
  });

  it('refuses an expired link and changes nothing', async () => {
    const user = await signUp();
    const token = await mailedToken(catcher(), user.email, HERE);
    await expireResetToken(token);

    expect(await isResetTokenUsable(token)).toBe(false);
    expect(await resetPassword(token, NEW_PASSWORD, HERE)).toEqual({ ok: false, reason: 'invalid_token' });
    expect(await verifyCredentials(user.email, PASSWORD)).toMatchObject({ ok: true });
    expect((await resetTokenRow(token))?.usedAt).toBeNull();
  });

  it('refuses made-up and malformed tokens alike, before any bcrypt work', async () => {
    const user = await signUp();
    await mailedToken(catcher(), user.email, HERE);
    const hash = vi.spyOn(bcrypt, 'hash');

    for (const token of [createResetTokenValue(), 'not-a-token', '', 'A'.repeat(64)]) {
      expect(await resetPassword(token, NEW_PASSWORD, HERE)).toEqual({ ok: false, reason: 'invalid_token' });
    }
    expect(hash).not.toHaveBeenCalled();
    expect(await verifyCredentials(user.email, PASSWORD)).toMatchObject({ ok: true });
  });

  it('does not accept the token by its stored hash', async () => {
    const user = await signUp();
    const token = await mailedToken(catcher(), user.email, HERE);

    expect(await resetPassword(hashResetToken(token), NEW_PASSWORD, HERE)).toEqual({
      ok: false,
      reason: 'invalid_token',
    });
  });

  it('ends every session of the account, bearer and browser, and records each as ended by the reset', async () => {
    const user = await signUp();
    const api = await apiSession(user);
    const browser = await browserSession(user);
    const token = await mailedToken(catcher(), user.email, HERE);

    await resetPassword(token, NEW_PASSWORD, HERE);

    expect(await validateRefreshToken(api.refreshToken, HERE)).toEqual({ ok: false, reason: 'unknown' });
    const apiSessionId = accessTokenClaims(api.token).sid;
    const browserSessionId = accessTokenClaims(browser.access).sid;
    expect(await findSessionUser(apiSessionId, user.id)).toBeNull();
    expect(await findSessionUser(browserSessionId, user.id)).toBeNull();
    for (const row of await refreshTokenRows(user.id)) {
      expect(row).toMatchObject({ revokedReason: 'credentials_changed', revokedAt: expect.any(Date) });
    }
    const ended = (await listRecentAuthEvents(user.id)).filter((event) => event.type === 'session_ended');
    expect(ended.map((event) => [event.sessionId, event.detail]).sort()).toEqual(
      [
        [apiSessionId, 'password_reset'],
        [browserSessionId, 'password_reset'],
      ].sort(),
    );
  });

  it("leaves other accounts' sessions alone", async () => {
    const user = await signUp();
    const someoneElse = await apiSession();
    const token = await mailedToken(catcher(), user.email, HERE);

    await resetPassword(token, NEW_PASSWORD, HERE);

    expect(await validateRefreshToken(someoneElse.refreshToken, HERE)).toMatchObject({ ok: true });
  });

  it('lets one of two parallel uses of a link through, never both', async () => {
    const user = await signUp();
    const token = await mailedToken(catcher(), user.email, HERE);

    const outcomes = await Promise.all([
      resetPassword(token, 'first parallel passphrase', HERE),
      resetPassword(token, 'second parallel passphrase', HERE),
    ]);

    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([{ ok: false, reason: 'invalid_token' }]);
    expect((await listRecentAuthEvents(user.id)).filter((event) => event.type === 'password_reset')).toHaveLength(1);
  });

  it('counts confirmations per address: over the limit nothing is checked or changed', async () => {
    vi.stubEnv('RATE_LIMIT_RESET_CONFIRM_MAX', '2');
    const user = await signUp();
    const token = await mailedToken(catcher(), user.email, HERE);
    await resetPassword(createResetTokenValue(), NEW_PASSWORD, HERE);
    await resetPassword(createResetTokenValue(), NEW_PASSWORD, HERE);

    expect(await resetPassword(token, NEW_PASSWORD, HERE)).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAfterSeconds: expect.any(Number),
    });
    expect(await isResetTokenUsable(token)).toBe(true);
    expect(await verifyCredentials(user.email, PASSWORD)).toMatchObject({ ok: true });
    // From another address the link still works: the limit is the guesser's, not the owner's.
    expect(await resetPassword(token, NEW_PASSWORD, { ...HERE, ip: '198.51.100.99' })).toMatchObject({ ok: true });
  });
});

describe('resetPasswordAndSignIn (the reset page)', () => {
  it('starts a fresh browser session after ending the old ones, and records signed_in after password_reset', async () => {
    const user = await signUp();
    const before = await browserSession(user);
    const token = await mailedToken(catcher(), user.email, HERE);

    const reset = await resetPasswordAndSignIn(token, NEW_PASSWORD, HERE);

    if (!reset.ok) throw new Error('expected the reset to sign in');
    expect(await findSessionUser(reset.sessionId, user.id, 'browser')).toMatchObject({ id: user.id });
    expect(await findSessionUser(accessTokenClaims(before.access).sid, user.id)).toBeNull();
    expect(accessTokenClaims(reset.tokens.access.value).sid).toBe(reset.sessionId);
    const types = (await listRecentAuthEvents(user.id)).map((event) => event.type);
    expect(types.slice(0, 2)).toEqual(['signed_in', 'password_reset']);
  });

  it('starts no session for a bad link', async () => {
    const user = await signUp();

    expect(await resetPasswordAndSignIn(createResetTokenValue(), NEW_PASSWORD, HERE)).toEqual({
      ok: false,
      reason: 'invalid_token',
    });
    expect(await refreshTokenRows(user.id)).toEqual([]);
  });
});

describe('a change of credentials on the account page', () => {
  it('makes a reset link waiting in an inbox stop working', async () => {
    const user = await signUp();
    const token = await mailedToken(catcher(), user.email, HERE);

    await changePasswordWith(user.id, PASSWORD, NEW_PASSWORD, null, HERE);

    expect(await resetPassword(token, 'the attacker wants this', HERE)).toEqual({
      ok: false,
      reason: 'invalid_token',
    });
    expect(await verifyCredentials(user.email, NEW_PASSWORD)).toMatchObject({ ok: true });
  });
});

describe('resetFormSchema (the reset page)', () => {
  const token = 'a'.repeat(64);

  it('asks for the new password twice, the same both times', () => {
    const differ = resetFormSchema.safeParse({
      token,
      password: NEW_PASSWORD,
      password_confirmation: 'something else',
    });
    expect(differ.error?.issues[0]?.message).toBe('The two passwords do not match');
    expect(
      resetFormSchema.safeParse({ token, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD }).success,
    ).toBe(true);
  });

  it('holds the new password to the sign-up rules: 8 characters to 72 bytes', () => {
    for (const password of ['short', 'é'.repeat(37)]) {
      expect(resetFormSchema.safeParse({ token, password, password_confirmation: password }).success).toBe(false);
    }
    const longest = 'x'.repeat(72);
    expect(resetFormSchema.safeParse({ token, password: longest, password_confirmation: longest }).success).toBe(true);
  });
});
