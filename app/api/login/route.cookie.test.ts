import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { hashRefreshToken, verifyAccessToken } from '@/lib/auth/tokens';
import { MESSAGES } from '@/lib/messages';
import { PASSWORD, publicUserMatching, signUp, type TestUser } from '@/test/fixtures';
import { jsonOf, makeRequest, type SetCookie, setCookies } from '@/test/http';
import { accessTokenClaims, cookieSet, DAY_SECONDS, expectMaxAge, SAME_ORIGIN, tokenRow } from '@/test/session-helpers';
import { POST } from './route';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** A page script's login asking for a cookie session instead of tokens in the body. */
function cookieLogin(user: TestUser, options: { password?: string; headers?: Record<string, string> } = {}) {
  return makeRequest('POST', '/api/login', {
    json: { email: user.email, password: options.password ?? user.password },
    headers: { ...SAME_ORIGIN, 'x-chirpy-session': 'cookie', 'user-agent': 'Mozilla/5.0 (script)', ...options.headers },
  });
}

/** What every session cookie must be: unreadable by scripts, sent on top-level navigations, site-wide. */
function expectSessionCookieAttributes(cookie: SetCookie, secure: boolean) {
  expect(cookie.attributes.get('httponly')).toBe(true);
  expect(String(cookie.attributes.get('samesite')).toLowerCase()).toBe('lax');
  expect(cookie.attributes.get('path')).toBe('/');
  expect(cookie.attributes.has('domain')).toBe(false);
  expect(cookie.attributes.has('secure')).toBe(secure);
}

describe('POST /api/login asking for a cookie session', () => {
  it('starts a browser session: the two session cookies, its refresh token stored as a hash with the user agent', async () => {
    const user = await signUp();

    const response = await POST(cookieLogin(user));

    expect(response.status).toBe(200);
    const access = cookieSet(response, 'chirpy_access');
    const refresh = cookieSet(response, 'chirpy_refresh');
    expect(await verifyAccessToken(access.value, 'browser')).toMatchObject({ ok: true, userId: user.id });
    const row = await tokenRow(refresh.value);
    expect(row).toMatchObject({
      userId: user.id,
      client: 'browser',
      sessionId: accessTokenClaims(access.value).sid,
      revokedAt: null,
      userAgent: 'Mozilla/5.0 (script)',
    });
    expect(row.tokenHash).toBe(hashRefreshToken(refresh.value));
    expect(response.headers.get('cache-control')).toBe('private, no-store');
  });

  it('sets cookies that scripts cannot read, Lax, site-wide, living as long as their tokens, over http without Secure', async () => {
    const response = await POST(cookieLogin(await signUp()));

    expect([...setCookies(response).keys()].sort()).toEqual(['chirpy_access', 'chirpy_refresh']);
    const access = cookieSet(response, 'chirpy_access');
    const refresh = cookieSet(response, 'chirpy_refresh');
    expectSessionCookieAttributes(access, false);
    expectSessionCookieAttributes(refresh, false);
    // Access: SESSION_ACCESS_TTL_SECONDS (300). Refresh: the idle bound (7 days), sooner than the 60-day end.
    expectMaxAge(access, 300);
    expectMaxAge(refresh, 7 * DAY_SECONDS);
  });

  it('takes the cookie lifetimes from SESSION_ACCESS_TTL_SECONDS and SESSION_IDLE_TIMEOUT_DAYS', async () => {
    vi.stubEnv('SESSION_ACCESS_TTL_SECONDS', '60');
    vi.stubEnv('SESSION_IDLE_TIMEOUT_DAYS', '2');

    const response = await POST(cookieLogin(await signUp()));

    expectMaxAge(cookieSet(response, 'chirpy_access'), 60);
    expectMaxAge(cookieSet(response, 'chirpy_refresh'), 2 * DAY_SECONDS);
  });

  it('over https (said by a trusted proxy): __Host- names and Secure', async () => {
    vi.stubEnv('TRUST_PROXY', '1');
    const response = await POST(cookieLogin(await signUp(), { headers: { 'x-forwarded-proto': 'https' } }));

    expect([...setCookies(response).keys()].sort()).toEqual(['__Host-chirpy_access', '__Host-chirpy_refresh']);
    expectSessionCookieAttributes(cookieSet(response, '__Host-chirpy_access'), true);
    expectSessionCookieAttributes(cookieSet(response, '__Host-chirpy_refresh'), true);
  });

  it('an unknown email: exactly the same answer as a wrong password, and no cookie', async () => {
    const user = await signUp();
    const stranger = { id: '', email: 'nobody@example.com', password: PASSWORD };

    const wrong = await POST(cookieLogin(user, { password: 'wrong password' }));
    const unknown = await POST(cookieLogin(stranger));

    for (const response of [wrong, unknown]) {
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(await jsonOf(response)).toEqual({
        status: 401,
        body: { error: 'Incorrect email or password', code: 'incorrect_credentials' },
      });
    }
  });

  it('a form-encoded body is not JSON: 415, and no cookie (the sign-in page posts to a server action)', async () => {
    const user = await signUp();
    const request = makeRequest('POST', '/api/login', {
      form: { email: user.email, password: user.password },
      headers: SAME_ORIGIN,
    });

    const response = await POST(request);

    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await jsonOf(response)).toEqual({
      status: 415,
      body: { error: MESSAGES.json_required, code: 'json_required' },
    });
  });
});

describe('POST /api/login with JSON', () => {
  it('clients of the bearer contract get their tokens in the body and no cookies', async () => {
    const user = await signUp();

    const response = await POST(
      makeRequest('POST', '/api/login', { json: { email: user.email, password: user.password } }),
    );

    expect(response.headers.getSetCookie()).toEqual([]);
    const { status, body } = await jsonOf(response);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: user.id,
      email: user.email,
      token: expect.any(String),
      refresh_token: expect.any(String),
    });
    const { refresh_token } = z.object({ refresh_token: z.string() }).parse(body);
    expect(await tokenRow(refresh_token)).toMatchObject({ client: 'bearer', userId: user.id });
  });

  it('a script asking for a cookie session (X-Chirpy-Session: cookie) gets the cookies and no token in the body', async () => {
    const user = await signUp();
    const request = makeRequest('POST', '/api/login', {
      json: { email: user.email, password: user.password },
      headers: { ...SAME_ORIGIN, 'x-chirpy-session': 'cookie' },
    });

    const response = await POST(request);

    const access = cookieSet(response, 'chirpy_access');
    const refresh = cookieSet(response, 'chirpy_refresh');
    expectSessionCookieAttributes(access, false);
    expectSessionCookieAttributes(refresh, false);
    const { status, body } = await jsonOf(response);
    expect(status).toBe(200);
    expect(body).toEqual({ ...publicUserMatching(user.email), id: user.id });
    expect(JSON.stringify(body)).not.toContain(access.value);
    expect(JSON.stringify(body)).not.toContain(refresh.value);
    expect(await tokenRow(refresh.value)).toMatchObject({ client: 'browser', userId: user.id });
  });
});
