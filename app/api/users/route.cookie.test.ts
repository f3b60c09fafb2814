import { beforeEach, describe, expect, it, vi } from 'vitest';
import { POST as login } from '@/app/api/login/route';
import { GET as me } from '@/app/api/me/route';
import { listRecentAuthEvents } from '@/lib/audit';
import { MESSAGES } from '@/lib/messages';
import {
  apiSession,
  asPublicUser,
  type BrowserSession,
  browserSession,
  NEW_PASSWORD,
  PASSWORD,
  publicUserMatching,
  refreshTokenRows,
  uniqueEmail,
  userRow,
} from '@/test/fixtures';
import { expectError, fromAddress, jsonOf, makeRequest } from '@/test/http';
import { SAME_ORIGIN, sessionIdOf } from '@/test/session-helpers';
import { PUT } from './route';

/**
 * `PUT /api/users` from a browser: its session cookies alone may be a stolen copy, so the change
 * also needs the current password, as the account page does.
 */

const ADDRESS = '203.0.113.120';
const AGENT = 'Mozilla/5.0 (step-up test)';

// fromAddress plays a client on a bare server; the Vercel run of the suite sets VERCEL, which
// would otherwise make the platform's headers the source of the address.
beforeEach(() => {
  vi.stubEnv('TRUST_PROXY', 'none');
});

function putWithCookies(session: BrowserSession, json: unknown, address = ADDRESS) {
  return PUT(
    makeRequest('PUT', '/api/users', {
      json,
      cookies: { chirpy_access: session.access, chirpy_refresh: session.refresh },
      headers: { ...SAME_ORIGIN, ...fromAddress(address), 'user-agent': AGENT },
    }),
  );
}

function loginFrom(address: string, email: string, password: string) {
  return login(makeRequest('POST', '/api/login', { json: { email, password }, headers: fromAddress(address) }));
}

/** Everything a credentials change touches: the user's row and every refresh token of theirs. */
async function accountState(userId: string) {
  const tokens = await refreshTokenRows(userId);
  return { user: await userRow(userId), tokens: tokens.sort((a, b) => a.tokenHash.localeCompare(b.tokenHash)) };
}

/** A browser session, and an API session of the same account that a change would end. */
async function signedInTwice() {
  const browser = await browserSession();
  const api = await apiSession(browser);
  return { browser, api, before: await accountState(browser.id) };
}

describe('PUT /api/users with session cookies', () => {
  it('answers 403 without current_password, and changes nothing: email, password, sessions', async () => {
    const { browser, before } = await signedInTwice();

    const response = await putWithCookies(browser, { email: uniqueEmail(), password: NEW_PASSWORD });

    expect(await expectError(response, 403)).toBe(MESSAGES.current_password_required);
    expect(await accountState(browser.id)).toStrictEqual(before);
  });

  it.each([
    ['empty', ''],
    ['null', null],
  ])('treats a current_password that is %s as missing: 403, nothing changed', async (_label, current) => {
    const { browser, before } = await signedInTwice();

    const response = await putWithCookies(browser, {
      email: uniqueEmail(),
      password: NEW_PASSWORD,
      current_password: current,
    });

    expect(await expectError(response, 403)).toBe(MESSAGES.current_password_required);
    expect(await accountState(browser.id)).toStrictEqual(before);
  });

  it('answers 403 to a wrong current_password, changes nothing, and records the attempt for the owner', async () => {
    const { browser, before } = await signedInTwice();

    const response = await putWithCookies(browser, {
      email: uniqueEmail(),
      password: NEW_PASSWORD,
      current_password: 'a guess at the password',
    });

    expect(await expectError(response, 403)).toBe(MESSAGES.wrong_current_password);
    expect(await accountState(browser.id)).toStrictEqual(before);
    const [latest] = await listRecentAuthEvents(browser.id, 1);
    expect(latest).toMatchObject({
      type: 'sign_in_failed',
      detail: 'current_password',
      sessionId: null,
      ip: ADDRESS,
      userAgent: AGENT,
    });
    expect(JSON.stringify(latest)).not.toContain('a guess at the password');
  });

  it('counts wrong current passwords as sign-in attempts: past the limit even the owner’s login waits (429)', async () => {
    vi.stubEnv('RATE_LIMIT_LOGIN_ACCOUNT_MAX', '2');
    const { browser } = await signedInTwice();
    for (const guess of ['first guess', 'second guess']) {
      const json = { email: browser.email, password: NEW_PASSWORD, current_password: guess };
      expect((await putWithCookies(browser, json)).status).toBe(403);
    }

    const afterGuesses = await loginFrom(ADDRESS, browser.email, PASSWORD);

    expect(afterGuesses.status).toBe(429);
    expect(afterGuesses.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  });

  it('over the limit answers 429 with Retry-After, even with the right password, changes nothing, and records it once', async () => {
    vi.stubEnv('RATE_LIMIT_LOGIN_ACCOUNT_MAX', '2');
    const { browser, before } = await signedInTwice();
    const guess = { email: uniqueEmail(), password: NEW_PASSWORD, current_password: 'not it' };
    await putWithCookies(browser, guess);
    await putWithCookies(browser, guess);

    const right = { email: uniqueEmail(), password: NEW_PASSWORD, current_password: PASSWORD };
    const refused = [await putWithCookies(browser, right), await putWithCookies(browser, right)];

    for (const response of refused) {
      expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(await jsonOf(response)).toEqual({
        status: 429,
        body: { error: MESSAGES.rate_limited, code: 'rate_limited' },
      });
    }
    expect(await accountState(browser.id)).toStrictEqual(before);
    const limited = (await listRecentAuthEvents(browser.id)).filter((event) => event.type === 'rate_limited');
    expect(limited).toEqual([expect.objectContaining({ detail: 'login_account', ip: ADDRESS })]);
    // Another address is not held back: the limit is the guesser's, not the account's everywhere.
    expect((await putWithCookies(browser, right, '198.51.100.120')).status).toBe(200);
  });

  it('with the right current_password: 200 with the user, both changed, the other sessions ended, this one kept', async () => {
    const { browser, api } = await signedInTwice();
    const newEmail = uniqueEmail();

    const response = await putWithCookies(browser, {
      email: newEmail,
      password: NEW_PASSWORD,
      current_password: PASSWORD,
    });

    const { status, body } = await jsonOf(response);
    expect(status).toBe(200);
    expect(body).toStrictEqual(publicUserMatching(newEmail));
    expect(asPublicUser(body).id).toBe(browser.id);
    expect((await userRow(browser.id))?.email).toBe(newEmail);
    expect((await loginFrom(ADDRESS, newEmail, NEW_PASSWORD)).status).toBe(200);
    expect((await loginFrom(ADDRESS, newEmail, PASSWORD)).status).toBe(401);
    const cookies = { chirpy_access: browser.access, chirpy_refresh: browser.refresh };
    expect((await me(makeRequest('GET', '/api/me', { cookies }))).status).toBe(200);
    expect((await me(makeRequest('GET', '/api/me', { bearer: api.token }))).status).toBe(401);
  });

  it('records the changes in the audit log, with the session and where they came from, never the passwords', async () => {
    const { browser, api } = await signedInTwice();

    const response = await putWithCookies(browser, {
      email: uniqueEmail(),
      password: NEW_PASSWORD,
      current_password: PASSWORD,
    });

    expect(response.status).toBe(200);
    const events = (await listRecentAuthEvents(browser.id)).filter((event) => event.ip === ADDRESS);
    const where = { ip: ADDRESS, userAgent: AGENT };
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'email_changed', sessionId: sessionIdOf(browser), ...where }),
        expect.objectContaining({ type: 'password_changed', sessionId: sessionIdOf(browser), ...where }),
        expect.objectContaining({ type: 'session_ended', detail: 'credentials_changed', ...where }),
      ]),
    );
    expect(events.find((event) => event.type === 'session_ended')?.sessionId).not.toBe(sessionIdOf(browser));
    expect(events).toHaveLength(3);
    expect(JSON.stringify(events)).not.toContain(NEW_PASSWORD);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
    expect(events.map((event) => event.sessionId)).toContain(sessionIdOf(browser));
    expect((await me(makeRequest('GET', '/api/me', { bearer: api.token }))).status).toBe(401);
  });
});
