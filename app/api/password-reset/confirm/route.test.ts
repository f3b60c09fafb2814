import { beforeEach, describe, expect, it, vi } from 'vitest';
import { POST as login } from '@/app/api/login/route';
import { GET as getMe } from '@/app/api/me/route';
import { POST as refresh } from '@/app/api/refresh/route';
import { createResetTokenValue } from '@/lib/auth/password-reset';
import { MESSAGES } from '@/lib/messages';
import { withFailingRevocations } from '@/test/database-faults';
import { apiSession, NEW_PASSWORD, PASSWORD, refreshTokenRows, signUp, userRow } from '@/test/fixtures';
import { expectError, expectNoContent, fromAddress, jsonOf, makeRequest } from '@/test/http';
import { describeJsonBodyRules } from '@/test/json-body-rules';
import { expireResetToken, mailCatcherForThisFile, mailedToken } from '@/test/password-reset';
import { POST } from './route';

const { catcher } = mailCatcherForThisFile();

const HERE = { ip: '203.0.113.70', userAgent: 'curl/8.5.0' };

beforeEach(() => {
  vi.stubEnv('TRUST_PROXY', 'none');
});

function confirm(json: unknown, address = '203.0.113.70') {
  return POST(makeRequest('POST', '/api/password-reset/confirm', { json, headers: fromAddress(address) }));
}

function signIn(email: string, password: string) {
  return login(makeRequest('POST', '/api/login', { json: { email, password } }));
}

describe('POST /api/password-reset/confirm', () => {
  it('answers 204: the new password signs in, the old one no longer does', async () => {
    const user = await signUp();
    const token = await mailedToken(catcher(), user.email, HERE);

    await expectNoContent(await confirm({ token, password: NEW_PASSWORD }));

    expect((await signIn(user.email, NEW_PASSWORD)).status).toBe(200);
    expect(await expectError(await signIn(user.email, PASSWORD), 401)).toBe(MESSAGES.incorrect_credentials);
  });

  it("ends the account's bearer sessions: their access and refresh tokens get 401 at once", async () => {
    const session = await apiSession();
    const token = await mailedToken(catcher(), session.email, HERE);

    await expectNoContent(await confirm({ token, password: NEW_PASSWORD }));

    await expectError(await getMe(makeRequest('GET', '/api/me', { bearer: session.token })), 401);
    await expectError(await refresh(makeRequest('POST', '/api/refresh', { bearer: session.refreshToken })), 401);
  });

  it('changes the password and ends the sessions together: a fault while ending them leaves the password and the link as they were', async () => {
    const session = await apiSession();
    const token = await mailedToken(catcher(), session.email, HERE);
    const before = await userRow(session.id);

    await withFailingRevocations(async () => {
      expect((await confirm({ token, password: NEW_PASSWORD })).status).toBe(500);
    });

    expect(await userRow(session.id)).toStrictEqual(before);
    expect((await refreshTokenRows(session.id)).map((row) => row.revokedAt)).toEqual([null]);
    expect((await getMe(makeRequest('GET', '/api/me', { bearer: session.token }))).status).toBe(200);
    // Nothing was spent: the owner tries again, and this time the old session ends with the change.
    await expectNoContent(await confirm({ token, password: NEW_PASSWORD }));
    expect((await signIn(session.email, NEW_PASSWORD)).status).toBe(200);
    await expectError(await getMe(makeRequest('GET', '/api/me', { bearer: session.token })), 401);
  });

  it('answers 400 {"error"} to a used, an expired, a replaced and an unknown token alike, changing nothing', async () => {
    const used = await signUp();
    const usedToken = await mailedToken(catcher(), used.email, HERE);
    await confirm({ token: usedToken, password: NEW_PASSWORD });
    const expired = await signUp();
    const expiredToken = await mailedToken(catcher(), expired.email, HERE);
    await expireResetToken(expiredToken);
    const replaced = await signUp();
    const replacedToken = await mailedToken(catcher(), replaced.email, HERE);
    await mailedToken(catcher(), replaced.email, HERE);

    for (const token of [usedToken, expiredToken, replacedToken, createResetTokenValue(), 'nonsense']) {
      expect(await jsonOf(await confirm({ token, password: 'an intruder passphrase' }))).toEqual({
        status: 400,
        body: { error: MESSAGES.reset_link_invalid, code: 'reset_link_invalid' },
      });
    }
    expect((await signIn(used.email, NEW_PASSWORD)).status).toBe(200);
    expect((await signIn(expired.email, PASSWORD)).status).toBe(200);
    expect((await signIn(replaced.email, PASSWORD)).status).toBe(200);
  });

  it.each([
    ['a short password', 'short', MESSAGES.password_too_short],
    ['a password over 72 bytes', 'é'.repeat(37), MESSAGES.password_too_long],
  ])('answers 400 to %s with its rule, and keeps the link usable', async (_label, password, message) => {
    const user = await signUp();
    const token = await mailedToken(catcher(), user.email, HERE);

    expect(await expectError(await confirm({ token, password }), 400)).toBe(message);

    await expectNoContent(await confirm({ token, password: NEW_PASSWORD }));
  });

  it.each([
    ['no token', { password: NEW_PASSWORD }],
    ['a token that is not a string', { token: 7, password: NEW_PASSWORD }],
    ['no password', { token: 'a'.repeat(64) }],
  ])('answers 400 to %s', async (_label, json) => {
    await expectError(await confirm(json), 400);
  });

  it('over the per-address limit answers 429 with Retry-After, and the link keeps working from elsewhere', async () => {
    vi.stubEnv('RATE_LIMIT_RESET_CONFIRM_MAX', '2');
    const user = await signUp();
    const token = await mailedToken(catcher(), user.email, HERE);
    await confirm({ token: createResetTokenValue(), password: NEW_PASSWORD });
    await confirm({ token: createResetTokenValue(), password: NEW_PASSWORD });

    const response = await confirm({ token, password: NEW_PASSWORD });

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await jsonOf(response)).toEqual({
      status: 429,
      body: { error: MESSAGES.rate_limited, code: 'rate_limited' },
    });
    expect((await signIn(user.email, PASSWORD)).status).toBe(200);
    await expectNoContent(await confirm({ token, password: NEW_PASSWORD }, '198.51.100.70'));
  });

  it('answers 404 when resets are turned off', async () => {
    vi.stubEnv('PASSWORD_RESET_ENABLED', 'off');

    expect(await expectError(await confirm({ token: 'a'.repeat(64), password: NEW_PASSWORD }), 404)).toBe(
      MESSAGES.reset_disabled,
    );
  });
});

describeJsonBodyRules({
  route: 'POST /api/password-reset/confirm',
  handler: POST,
  arrange: async () => {
    const user = await signUp();
    const json = { token: await mailedToken(catcher(), user.email, HERE), password: NEW_PASSWORD };
    return { json, headers: fromAddress(HERE.ip), email: user.email };
  },
  acceptedStatus: 204,
  expectUnchanged: async ({ json, email }) => {
    expect((await signIn(email, PASSWORD)).status).toBe(200);
    // The link is still unused: it works once the same request comes as JSON.
    await expectNoContent(await confirm(json));
  },
  expectAccepted: async ({ email }, response) => {
    await expectNoContent(response);
    expect((await signIn(email, NEW_PASSWORD)).status).toBe(200);
  },
});
