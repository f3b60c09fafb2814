import { afterEach, describe, expect, it, vi } from 'vitest';
import { hashRefreshToken, verifyAccessToken } from '@/lib/auth/tokens';
import { apiSession, type BrowserSession, browserSession } from '@/test/fixtures';
import { jsonOf, makeRequest, setCookies } from '@/test/http';
import {
  accessTokenClaims,
  cookieSet,
  DAY_SECONDS,
  expectMaxAge,
  isCleared,
  liveRows,
  retireSecondsAgo,
  SAME_ORIGIN,
  sessionRows,
  setSessionTime,
  tokenRow,
} from '@/test/session-helpers';
import { POST as revoke } from '../revoke/route';
import { POST } from './route';

afterEach(() => {
  vi.restoreAllMocks();
});

function refreshWith(cookies: Record<string, string>, headers: Record<string, string> = {}) {
  return makeRequest('POST', '/api/refresh', { cookies, headers: { ...SAME_ORIGIN, ...headers } });
}

function sessionIdOf(session: BrowserSession): string {
  return accessTokenClaims(session.access).sid;
}

async function expectRefusedAndCleared(response: Response) {
  expect(isCleared(setCookies(response).get('chirpy_access'))).toBe(true);
  expect(isCleared(setCookies(response).get('chirpy_refresh'))).toBe(true);
  expect(await jsonOf(response)).toEqual({ status: 401, body: { error: expect.any(String) } });
}

describe('POST /api/refresh with the refresh cookie', () => {
  it('rotates: 204, a new refresh cookie and access cookie, and the old token retired in favour of the new one', async () => {
    const session = await browserSession();
    const sessionId = sessionIdOf(session);

    const response = await POST(refreshWith({ chirpy_refresh: session.refresh }));

    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    const refresh = cookieSet(response, 'chirpy_refresh');
    const access = cookieSet(response, 'chirpy_access');
    expect(refresh.value).not.toBe(session.refresh);
    expect(await verifyAccessToken(access.value, 'browser')).toMatchObject({ ok: true, sessionId });
    expectMaxAge(refresh, 7 * DAY_SECONDS);
    expectMaxAge(access, 300);
    expect(refresh.attributes.get('httponly')).toBe(true);
    expect(await tokenRow(session.refresh)).toMatchObject({
      revokedReason: 'rotated',
      replacedBy: hashRefreshToken(refresh.value),
    });
    expect(liveRows(await sessionRows(sessionId)).map((row) => row.tokenHash)).toEqual([
      hashRefreshToken(refresh.value),
    ]);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
  });

  it('keeps the absolute end: near it, the new refresh cookie expires with the session', async () => {
    const session = await browserSession();
    await setSessionTime(sessionIdOf(session), 'expiresAt', -3600);

    const response = await POST(refreshWith({ chirpy_refresh: session.refresh }));

    expect(response.status).toBe(204);
    expectMaxAge(cookieSet(response, 'chirpy_refresh'), 3600);
  });

  it('the same cookie again inside the grace window: 204 with only a new access cookie', async () => {
    const session = await browserSession();
    const first = await POST(refreshWith({ chirpy_refresh: session.refresh }));
    const successor = cookieSet(first, 'chirpy_refresh').value;

    const second = await POST(refreshWith({ chirpy_refresh: session.refresh }));

    expect(second.status).toBe(204);
    expect([...setCookies(second).keys()]).toEqual(['chirpy_access']);
    expect(await verifyAccessToken(cookieSet(second, 'chirpy_access').value, 'browser')).toMatchObject({
      ok: true,
      sessionId: sessionIdOf(session),
    });
    expect(liveRows(await sessionRows(sessionIdOf(session))).map((row) => row.tokenHash)).toEqual([
      hashRefreshToken(successor),
    ]);
  });

  it('the retired cookie after the grace window: 401, cookies cleared, and the whole session is revoked', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const session = await browserSession();
    const first = await POST(refreshWith({ chirpy_refresh: session.refresh }));
    const successor = cookieSet(first, 'chirpy_refresh').value;
    // The owner's browser used its successor since, so the old cookie can only be a copy.
    const second = await POST(refreshWith({ chirpy_refresh: successor }));
    const current = cookieSet(second, 'chirpy_refresh').value;
    await retireSecondsAgo(session.refresh, 31);

    await expectRefusedAndCleared(await POST(refreshWith({ chirpy_refresh: session.refresh })));

    expect(await tokenRow(current)).toMatchObject({ revokedReason: 'reuse_detected' });
    await expectRefusedAndCleared(await POST(refreshWith({ chirpy_refresh: current })));
  });

  it('a signed-out session: 401 and both cookies cleared', async () => {
    const session = await browserSession();
    await revoke(
      makeRequest('POST', '/api/revoke', { cookies: { chirpy_refresh: session.refresh }, headers: SAME_ORIGIN }),
    );

    await expectRefusedAndCleared(await POST(refreshWith({ chirpy_refresh: session.refresh })));
  });

  it('an idle or ended session: 401 and both cookies cleared', async () => {
    const idle = await browserSession();
    await setSessionTime(sessionIdOf(idle), 'lastUsedAt', 8 * DAY_SECONDS);
    await expectRefusedAndCleared(await POST(refreshWith({ chirpy_refresh: idle.refresh })));

    const ended = await browserSession();
    await setSessionTime(sessionIdOf(ended), 'expiresAt', 1);
    await expectRefusedAndCleared(await POST(refreshWith({ chirpy_refresh: ended.refresh })));
  });

  it('a cookie we never issued: 401 and both cookies cleared', async () => {
    await expectRefusedAndCleared(await POST(refreshWith({ chirpy_refresh: 'c'.repeat(64) })));
  });

  it('a bearer refresh token put in the cookie is refused and not consumed', async () => {
    const api = await apiSession();
    await expectRefusedAndCleared(await POST(refreshWith({ chirpy_refresh: api.refreshToken })));
    expect((await tokenRow(api.refreshToken)).revokedAt).toBeNull();
  });

  it('no cookie and no Authorization header: 401', async () => {
    const response = await POST(refreshWith({}));
    expect(await jsonOf(response)).toEqual({ status: 401, body: { error: expect.any(String) } });
  });

  it('over https (said by a trusted proxy): reads and renews the __Host- cookies only', async () => {
    vi.stubEnv('TRUST_PROXY', '1');
    const session = await browserSession();

    const https = { 'x-forwarded-proto': 'https', origin: 'https://localhost:3000' };
    const plain = await POST(refreshWith({ chirpy_refresh: session.refresh }, https));
    expect(await jsonOf(plain)).toEqual({ status: 401, body: { error: expect.any(String) } });
    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();

    const response = await POST(refreshWith({ '__Host-chirpy_refresh': session.refresh }, https));
    expect(response.status).toBe(204);
    expect(cookieSet(response, '__Host-chirpy_refresh').attributes.get('secure')).toBe(true);
    expect(cookieSet(response, '__Host-chirpy_access').attributes.get('secure')).toBe(true);
  });

  it('an Authorization header wins over the cookie: the bearer contract, no rotation, no cookies', async () => {
    const api = await apiSession();
    const session = await browserSession();
    const request = makeRequest('POST', '/api/refresh', {
      bearer: api.refreshToken,
      cookies: { chirpy_refresh: session.refresh },
    });

    const response = await POST(request);

    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await jsonOf(response)).toEqual({ status: 200, body: { token: expect.any(String) } });
    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();
  });
});
