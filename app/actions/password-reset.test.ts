import { beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyCredentials } from '@/lib/auth/password-account';
import { createResetTokenValue } from '@/lib/auth/password-reset';
import { findSessionUser } from '@/lib/auth/session-check';
import { verifyAccessToken } from '@/lib/auth/tokens';
import { INITIAL_ACCOUNT_FORM, INITIAL_RESET_REQUEST, RESET_REQUESTED } from '@/lib/form-states';
import { browserSession, PASSWORD, signUp, uniqueEmail } from '@/test/fixtures';
import { fromAddress } from '@/test/http';
import { linkIn, mailCatcherForThisFile, mailedToken, resetTokenRows } from '@/test/password-reset';
import { serve } from '@/test/request-scope';
import { enrolTotp } from '@/test/second-factor';
import { accessTokenClaims, tokenRow } from '@/test/session-helpers';
import { requestPasswordResetAction, resetPasswordAction } from './password-reset';

const { catcher } = mailCatcherForThisFile();

const HERE = { ip: '203.0.113.90', userAgent: 'Mozilla/5.0 (reset page)' };
const NEW_PASSWORD = 'a brand new passphrase';

beforeEach(() => {
  vi.stubEnv('TRUST_PROXY', 'none');
});

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
}

/** The forgotten-password form posted from a browser at `address`. */
function askForLink(email: string, address = '203.0.113.91') {
  return serve(() => requestPasswordResetAction(INITIAL_RESET_REQUEST, form({ email })), fromAddress(address));
}

/** The reset page's form posted from a browser at `address`. */
function setPassword(token: string, password: string, confirmation = password, address = '203.0.113.92') {
  const fields = { token, password, password_confirmation: confirmation };
  return serve(() => resetPasswordAction(INITIAL_ACCOUNT_FORM, form(fields)), fromAddress(address));
}

describe('the forgotten-password form', () => {
  it('gives one answer for an address with an account and one without, and mails only the first, after answering', async () => {
    const user = await signUp();

    const known = await askForLink(user.email);
    const unknown = await askForLink(uniqueEmail());

    expect(known.value).toEqual(RESET_REQUESTED);
    expect(unknown.value).toEqual(RESET_REQUESTED);
    expect(RESET_REQUESTED).toMatchObject({ code: null, notice: 'reset_link_sent' });
    expect(catcher().mails).toEqual([]);
    await known.runAfter();
    await unknown.runAfter();
    expect(catcher().mails.map((mail) => mail.to)).toEqual([[user.email]]);
  });

  it('keeps the same answer over the limits, and sends nothing', async () => {
    vi.stubEnv('RATE_LIMIT_RESET_EMAIL_MAX', '1');
    vi.stubEnv('RATE_LIMIT_RESET_IP_MAX', '2');
    const user = await signUp();
    await (await askForLink(user.email)).runAfter();
    const overEmailLimit = await askForLink(user.email, '198.51.100.91');
    await askForLink(uniqueEmail());
    const overAddressLimit = await askForLink(uniqueEmail());

    await overEmailLimit.runAfter();
    await overAddressLimit.runAfter();

    expect(overEmailLimit.value).toEqual(RESET_REQUESTED);
    expect(overAddressLimit.value).toEqual(RESET_REQUESTED);
    expect(catcher().mails).toHaveLength(1);
    expect(await resetTokenRows()).toHaveLength(1);
  });

  it('says what is wrong with an address that is not one, and puts it back', async () => {
    const refused = await askForLink('not an address');

    expect(refused.value).toEqual({
      code: 'invalid_email',
      notice: null,
      retryAfterSeconds: null,
      email: 'not an address',
    });
  });

  it('builds the link on APP_URL, not on the Host the browser sent', async () => {
    const user = await signUp();

    const served = await serve(() => requestPasswordResetAction(INITIAL_RESET_REQUEST, form({ email: user.email })), {
      ...fromAddress('203.0.113.93'),
      host: 'attacker.example',
    });
    await served.runAfter();

    expect(linkIn(await catcher().mail(0))).toMatch(/^https:\/\/chirpy\.example\.com\/reset-password\?token=/);
  });

  it('is closed when resets are turned off', async () => {
    vi.stubEnv('PASSWORD_RESET_ENABLED', 'false');
    const user = await signUp();

    const served = await askForLink(user.email);
    await served.runAfter();

    expect(served.value).toMatchObject({ code: 'reset_disabled' });
    expect(catcher().mails).toEqual([]);
  });
});

describe('the reset page form', () => {
  it('sets the password, ends the old sessions and signs this browser in with a fresh session cookie pair', async () => {
    const user = await signUp();
    const before = await browserSession(user);
    const token = await mailedToken(catcher(), user.email, HERE);

    const served = await setPassword(token, NEW_PASSWORD);

    expect(served.redirectedTo).toBe('/');
    const access = served.cookies.get('chirpy_access');
    const refresh = served.cookies.get('chirpy_refresh');
    expect(access).toMatchObject({ httpOnly: true, sameSite: 'lax', path: '/' });
    const check = await verifyAccessToken(access?.value ?? '', 'browser');
    if (!check.ok || check.sessionId === null) throw new Error('expected a session access token');
    expect(await findSessionUser(check.sessionId, user.id, 'browser')).toMatchObject({ id: user.id });
    expect(await tokenRow(refresh?.value ?? '')).toMatchObject({ sessionId: check.sessionId, revokedAt: null });
    expect(check.sessionId).not.toBe(accessTokenClaims(before.access).sid);
    expect(await findSessionUser(accessTokenClaims(before.access).sid, user.id)).toBeNull();
    expect(await verifyCredentials(user.email, NEW_PASSWORD)).toMatchObject({ ok: true });
  });

  it('does not skip the second factor: an account with one goes to the code page, with no session yet', async () => {
    const user = await signUp();
    await enrolTotp(user.id);
    const token = await mailedToken(catcher(), user.email, HERE);

    const served = await setPassword(token, NEW_PASSWORD);

    expect(served.redirectedTo).toBe('/login/code');
    expect(served.cookies.get('chirpy_pending')).toMatchObject({ httpOnly: true, value: expect.any(String) });
    expect(served.cookies.get('chirpy_access')).toBeUndefined();
    expect(await verifyCredentials(user.email, NEW_PASSWORD)).toMatchObject({ ok: true });
  });

  it('with REQUIRE_EMAIL_VERIFICATION=true, an unconfirmed address gets its new password but no session: the page says to check the inbox', async () => {
    const user = await signUp();
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');
    const token = await mailedToken(catcher(), user.email, HERE);

    const served = await setPassword(token, NEW_PASSWORD);

    expect(served.redirectedTo).toBe('/verify-email?sent=1');
    expect(served.cookies.get('chirpy_access')).toBeUndefined();
    expect(served.cookies.get('chirpy_pending')).toBeUndefined();
    expect(await verifyCredentials(user.email, NEW_PASSWORD)).toMatchObject({ ok: true });
  });

  it('asks for the same password twice, and changes nothing when they differ', async () => {
    const user = await signUp();
    const token = await mailedToken(catcher(), user.email, HERE);

    const served = await setPassword(token, NEW_PASSWORD, 'a brand new passphrasf');

    expect(served.value).toEqual({ code: 'passwords_differ', notice: null, retryAfterSeconds: null });
    expect(served.cookies.getAll()).toEqual([]);
    expect(await verifyCredentials(user.email, PASSWORD)).toMatchObject({ ok: true });
  });

  it('holds the password to the sign-up rules', async () => {
    const user = await signUp();
    const token = await mailedToken(catcher(), user.email, HERE);

    expect((await setPassword(token, 'short')).value).toMatchObject({ code: 'password_too_short' });
    expect((await setPassword(token, 'é'.repeat(37))).value).toMatchObject({ code: 'password_too_long' });
  });

  it('gives one message for a used or unknown link, and signs nobody in', async () => {
    const user = await signUp();
    const token = await mailedToken(catcher(), user.email, HERE);
    await setPassword(token, NEW_PASSWORD);

    for (const link of [token, createResetTokenValue()]) {
      const served = await setPassword(link, 'an intruder passphrase');
      expect(served.value).toEqual({ code: 'reset_link_invalid', notice: null, retryAfterSeconds: null });
      expect(served.cookies.getAll()).toEqual([]);
    }
    expect(await verifyCredentials(user.email, NEW_PASSWORD)).toMatchObject({ ok: true });
  });

  it('over the limit shows the plain rate-limit message with the wait', async () => {
    vi.stubEnv('RATE_LIMIT_RESET_CONFIRM_MAX', '1');
    await setPassword(createResetTokenValue(), NEW_PASSWORD);

    const served = await setPassword(createResetTokenValue(), NEW_PASSWORD);

    expect(served.value).toEqual({ code: 'rate_limited', notice: null, retryAfterSeconds: expect.any(Number) });
  });
});
