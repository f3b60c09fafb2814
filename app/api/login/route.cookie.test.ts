import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { hashRefreshToken, verifyAccessToken } from '@/lib/auth/tokens';
import { PASSWORD, signUp, type TestUser } from '@/test/fixtures';
import { jsonOf, makeRequest, type SetCookie, setCookies } from '@/test/http';
import { accessTokenClaims, cookieSet, DAY_SECONDS, expectMaxAge, SAME_ORIGIN, tokenRow } from '@/test/session-helpers';
import { POST } from './route';

afterEach(() => {
  vi.unstubAllEnvs();
});

function signInForm(
  user: TestUser,
  options: { next?: string; password?: string; headers?: Record<string, string> } = {},
) {
  const path = options.next === undefined ? '/api/login' : `/api/login?next=${encodeURIComponent(options.next)}`;
  return makeRequest('POST', path, {
    form: { email: user.email, password: options.password ?? user.password },
    headers: { ...SAME_ORIGIN, 'user-agent': 'Mozilla/5.0 (form)', ...options.headers },
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

describe('POST /api/login from the sign-in form', () => {
  it('signs in: 303 to the page asked for, with the two session cookies', async () => {
    const user = await signUp();

    const response = await POST(signInForm(user, { next: '/chirps?author=me' }));

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/chirps?author=me');
    expect(await response.text()).toBe('');
    const access = cookieSet(response, 'chirpy_access');
    const refresh = cookieSet(response, 'chirpy_refresh');
    expect(await verifyAccessToken(access.value)).toMatchObject({ ok: true, userId: user.id });
    const row = await tokenRow(refresh.value);
    expect(row).toMatchObject({
      userId: user.id,
      client: 'browser',
      sessionId: accessTokenClaims(access.value).sid,
      revokedAt: null,
      userAgent: 'Mozilla/5.0 (form)',
    });
    expect(row.tokenHash).toBe(hashRefreshToken(refresh.value));
    expect(response.headers.get('cache-control')).toBe('private, no-store');
  });

  it('goes home when no page was asked for', async () => {
    const response = await POST(signInForm(await signUp()));
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
  });

  it.each(['//evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)'])(
    'ignores next=%s and goes home',
    async (next) => {
      const response = await POST(signInForm(await signUp(), { next }));
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/');
      expect(setCookies(response).has('chirpy_refresh')).toBe(true);
    },
  );

  it('sets cookies that scripts cannot read, Lax, site-wide, living as long as their tokens, over http without Secure', async () => {
    const response = await POST(signInForm(await signUp()));

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

    const response = await POST(signInForm(await signUp()));

    expectMaxAge(cookieSet(response, 'chirpy_access'), 60);
    expectMaxAge(cookieSet(response, 'chirpy_refresh'), 2 * DAY_SECONDS);
  });

  it('over https (said by a trusted proxy): __Host- names and Secure', async () => {
    vi.stubEnv('TRUST_PROXY', '1');
    const response = await POST(signInForm(await signUp(), { headers: { 'x-forwarded-proto': 'https' } }));

    expect([...setCookies(response).keys()].sort()).toEqual(['__Host-chirpy_access', '__Host-chirpy_refresh']);
    expectSessionCookieAttributes(cookieSet(response, '__Host-chirpy_access'), true);
    expectSessionCookieAttributes(cookieSet(response, '__Host-chirpy_refresh'), true);
  });

  it('a wrong password: 303 back to the form with the error code, the destination kept, and no cookie at all', async () => {
    const user = await signUp();

    const response = await POST(signInForm(user, { password: 'wrong password', next: '/chirps' }));

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login?error=credentials&next=%2Fchirps');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('an unknown email: exactly the same answer as a wrong password', async () => {
    const stranger = { id: '', email: 'nobody@example.com', password: PASSWORD };
    const response = await POST(signInForm(stranger));
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login?error=credentials');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('an incomplete form: 303 back to the form with an error code and no cookie', async () => {
    const request = makeRequest('POST', '/api/login', { form: { email: 'someone@example.com' }, headers: SAME_ORIGIN });
    const response = await POST(request);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/login\?error=[a-z_]+$/);
    expect(response.headers.getSetCookie()).toEqual([]);
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
    expect(body).toEqual({
      id: user.id,
      email: user.email,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      is_chirpy_red: false,
    });
    expect(JSON.stringify(body)).not.toContain(access.value);
    expect(JSON.stringify(body)).not.toContain(refresh.value);
    expect(await tokenRow(refresh.value)).toMatchObject({ client: 'browser', userId: user.id });
  });

  it('a cookie-session request with a wrong password: 401 and no cookies', async () => {
    const user = await signUp();
    const request = makeRequest('POST', '/api/login', {
      json: { email: user.email, password: 'wrong password' },
      headers: { ...SAME_ORIGIN, 'x-chirpy-session': 'cookie' },
    });

    const response = await POST(request);

    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await jsonOf(response)).toEqual({ status: 401, body: { error: 'Incorrect email or password' } });
  });
});
