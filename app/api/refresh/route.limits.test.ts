import { afterEach, describe, expect, it, vi } from 'vitest';
import { GET as me } from '@/app/api/me/route';
import { MESSAGES } from '@/lib/messages';
import { apiSession, browserSession } from '@/test/fixtures';
import { jsonOf, makeRequest, setCookies } from '@/test/http';
import { accessTokenClaims, liveRows, SAME_ORIGIN, sessionRows, tokenRow } from '@/test/session-helpers';
import { POST } from './route';

afterEach(() => {
  vi.unstubAllEnvs();
});

async function expectTooMany(response: Response) {
  expect(response.status).toBe(429);
  expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  expect(await jsonOf(response)).toEqual({ status: 429, body: { error: MESSAGES.rate_limited, code: 'rate_limited' } });
}

describe('POST /api/refresh over a rate limit', () => {
  it('bearer: 429 with Retry-After past the per-session limit, and the refresh token is not revoked', async () => {
    vi.stubEnv('RATE_LIMIT_REFRESH_MAX', '2');
    vi.stubEnv('RATE_LIMIT_REFRESH_WINDOW_SECONDS', '60');
    const session = await apiSession();
    const refresh = () => POST(makeRequest('POST', '/api/refresh', { bearer: session.refreshToken }));
    expect((await refresh()).status).toBe(200);
    expect((await refresh()).status).toBe(200);

    await expectTooMany(await refresh());

    expect((await tokenRow(session.refreshToken)).revokedAt).toBeNull();
    expect((await me(makeRequest('GET', '/api/me', { bearer: session.token }))).status).toBe(200);
  });

  it('cookie: 429 with Retry-After, nothing rotated, and the cookies are kept (not cleared)', async () => {
    vi.stubEnv('RATE_LIMIT_ROTATION_MAX', '1');
    vi.stubEnv('RATE_LIMIT_ROTATION_WINDOW_SECONDS', '60');
    const session = await browserSession();
    const sessionId = accessTokenClaims(session.access).sid;
    const first = await POST(
      makeRequest('POST', '/api/refresh', { cookies: { chirpy_refresh: session.refresh }, headers: SAME_ORIGIN }),
    );
    expect(first.status).toBe(204);
    const current = setCookies(first).get('chirpy_refresh')?.value ?? '';
    const rowsBefore = await sessionRows(sessionId);

    const response = await POST(
      makeRequest('POST', '/api/refresh', { cookies: { chirpy_refresh: current }, headers: SAME_ORIGIN }),
    );

    expect(setCookies(response).size).toBe(0);
    await expectTooMany(response);
    expect(await sessionRows(sessionId)).toEqual(rowsBefore);
    expect(liveRows(rowsBefore)).toHaveLength(1);
  });
});
