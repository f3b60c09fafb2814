import { afterEach, describe, expect, it, vi } from 'vitest';
import { POST as postChirp } from '@/app/api/chirps/route';
import { GET as getMe } from '@/app/api/me/route';
import { PUT as updateUser } from '@/app/api/users/route';
import { hashRefreshToken, verifyAccessToken } from '@/lib/auth/tokens';
import { MESSAGES } from '@/lib/messages';
import { type BrowserSession, browserSession, withDatabaseDown } from '@/test/fixtures';
import { jsonOf, makeRequest, setCookies } from '@/test/http';
import {
  expiredAccessToken,
  expiredCookies,
  isCleared,
  liveRows,
  SAME_ORIGIN,
  sessionIdOf,
  sessionRows,
  setSessionTime,
  tokenRow,
} from '@/test/session-helpers';

/**
 * An API call whose access cookie has run out is renewed by its handler (lib/auth/current-user.ts),
 * not by the proxy: the same rotation, the same answers to failure, the cookies on the handler's
 * own answer. The contract is docs/sessions-and-security.md, "Browser sessions".
 */

const ACCESS = 'chirpy_access';
const REFRESH = 'chirpy_refresh';

afterEach(() => {
  vi.unstubAllEnvs();
});

function me(cookies: Record<string, string>) {
  return getMe(makeRequest('GET', '/api/me', { cookies }));
}

/** A browser session whose absolute end has just passed: no cookie of it may work again. */
async function endedBrowserSession(): Promise<BrowserSession> {
  const session = await browserSession();
  await setSessionTime(sessionIdOf(session), 'expiresAt', 1);
  return session;
}

describe('an API call with only a refresh cookie', () => {
  it('is renewed on the way: the user answers, the token rotated, both cookies on the answer', async () => {
    const session = await browserSession();

    const response = await me({ [REFRESH]: session.refresh });

    expect(await jsonOf(response)).toMatchObject({ status: 200, body: { id: session.id, email: session.email } });
    const cookies = setCookies(response);
    const access = cookies.get(ACCESS);
    const refresh = cookies.get(REFRESH);
    if (!access || !refresh) throw new Error('the renewal set no cookies');
    expect(access.attributes.get('httponly')).toBe(true);
    expect(refresh.attributes.get('httponly')).toBe(true);
    expect(await verifyAccessToken(access.value, 'browser')).toEqual({
      ok: true,
      userId: session.id,
      sessionId: sessionIdOf(session),
    });
    expect(response.headers.get('cache-control')).toContain('no-store');
    expect(await tokenRow(session.refresh)).toMatchObject({
      revokedReason: 'rotated',
      replacedBy: hashRefreshToken(refresh.value),
    });
    const live = liveRows(await sessionRows(sessionIdOf(session)));
    expect(live.map((row) => row.tokenHash)).toEqual([hashRefreshToken(refresh.value)]);
  });

  it('with an expired access cookie: the same, and a write (PUT /api/users) is accepted after it', async () => {
    const session = await browserSession();
    const response = await updateUser(
      makeRequest('PUT', '/api/users', {
        json: { email: session.email, password: 'a brand new password', current_password: session.password },
        cookies: await expiredCookies(session),
        headers: SAME_ORIGIN,
      }),
    );

    expect(response.status).toBe(200);
    // The session that made the change keeps working: its renewed cookies came with the answer.
    const renewed = setCookies(response).get(REFRESH);
    if (!renewed) throw new Error('no renewed refresh cookie');
    expect((await tokenRow(renewed.value)).revokedAt).toBeNull();
    expect((await me({ [REFRESH]: renewed.value })).status).toBe(200);
  });

  it('a cross-site write is refused before anything rotates', async () => {
    const session = await browserSession();

    const response = await postChirp(
      makeRequest('POST', '/api/chirps', {
        json: { body: 'forged' },
        cookies: { [REFRESH]: session.refresh },
        headers: { origin: 'https://evil.example' },
      }),
    );

    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();
  });

  it('a session that is over: 401, and both cookies cleared', async () => {
    const session = await endedBrowserSession();

    const response = await me({ theme: 'dark', [REFRESH]: session.refresh });

    expect(await jsonOf(response)).toEqual({ status: 401, body: { error: expect.any(String) } });
    expect(isCleared(setCookies(response).get(ACCESS))).toBe(true);
    expect(isCleared(setCookies(response).get(REFRESH))).toBe(true);
    expect(setCookies(response).has('theme')).toBe(false);
  });

  it('an expired access cookie with no refresh cookie to renew it from: 401, cookies cleared', async () => {
    const session = await browserSession();
    const expired = await expiredAccessToken(session.id, sessionIdOf(session));

    const response = await me({ [ACCESS]: expired });

    expect(await jsonOf(response)).toEqual({ status: 401, body: { error: 'Access token expired' } });
    expect(isCleared(setCookies(response).get(ACCESS))).toBe(true);
    expect(isCleared(setCookies(response).get(REFRESH))).toBe(true);
  });

  it('a refresh cookie we never issued: 401, cookies cleared, nothing written', async () => {
    const response = await me({ [REFRESH]: 'f'.repeat(64) });

    expect(response.status).toBe(401);
    expect(isCleared(setCookies(response).get(REFRESH))).toBe(true);
  });

  it('over the rotation limit: 429 with Retry-After, cookies kept, nobody signed out', async () => {
    vi.stubEnv('RATE_LIMIT_ROTATION_MAX', '1');
    const session = await browserSession();
    const first = await me({ [REFRESH]: session.refresh });
    const successor = setCookies(first).get(REFRESH)?.value;
    if (!successor) throw new Error('the first renewal set no refresh cookie');

    const limited = await me({ [REFRESH]: successor });

    expect(await jsonOf(limited)).toEqual({
      status: 429,
      body: { error: MESSAGES.rate_limited, code: 'rate_limited' },
    });
    expect(limited.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(limited.headers.getSetCookie()).toEqual([]);
    expect((await tokenRow(successor)).revokedAt).toBeNull();
  });

  it('during an outage: 503 JSON with Retry-After, never 401, cookies untouched; renewed once it is back', async () => {
    const session = await browserSession();

    await withDatabaseDown(async (logged) => {
      const response = await me({ [REFRESH]: session.refresh });

      expect(await jsonOf(response)).toEqual({ status: 503, body: { error: expect.any(String) } });
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(logged()).not.toContain(session.refresh);
    });

    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();
    expect((await me({ [REFRESH]: session.refresh })).status).toBe(200);
  });

  it('a live access cookie is used as it is: no rotation, no Set-Cookie', async () => {
    const session = await browserSession();

    const response = await me({ [ACCESS]: session.access, [REFRESH]: session.refresh });

    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();
  });

  it('a valid access cookie of a session that has ended: 401, and the refresh cookie does not revive it', async () => {
    const session = await endedBrowserSession();

    const response = await me({ [ACCESS]: session.access, [REFRESH]: session.refresh });

    expect(response.status).toBe(401);
    expect(await sessionRows(sessionIdOf(session))).toHaveLength(1);
    expect((await tokenRow(session.refresh)).revokedReason).toBeNull();
  });
});
