import { afterEach, describe, expect, it, vi } from 'vitest';
import { renewBrowserSession } from '@/lib/auth/session-flow';
import { apiSession, type BrowserSession, browserSession } from '@/test/fixtures';
import { jsonOf, makeRequest } from '@/test/http';
import { accessTokenClaims, DAY_SECONDS, retireSecondsAgo, SAME_ORIGIN, setSessionTime } from '@/test/session-helpers';
import { POST as revoke } from '../revoke/route';
import { GET } from './route';

afterEach(() => {
  vi.restoreAllMocks();
});

function me(cookies: Record<string, string>, headers: Record<string, string> = {}) {
  return GET(makeRequest('GET', '/api/me', { cookies, headers }));
}

function sessionIdOf(session: BrowserSession): string {
  return accessTokenClaims(session.access).sid;
}

async function expectUnauthorized(response: Response) {
  expect(await jsonOf(response)).toEqual({ status: 401, body: { error: expect.any(String) } });
}

describe('GET /api/me with the session cookie', () => {
  it('answers with the signed-in user', async () => {
    const session = await browserSession();

    const { status, body } = await jsonOf(await me({ chirpy_access: session.access }));

    expect(status).toBe(200);
    expect(body).toMatchObject({ id: session.id, email: session.email });
  });

  it('over https (said by a trusted proxy) reads the __Host- cookie, not the plain one', async () => {
    vi.stubEnv('TRUST_PROXY', '1');
    const session = await browserSession();
    const https = { 'x-forwarded-proto': 'https' };

    expect((await me({ '__Host-chirpy_access': session.access }, https)).status).toBe(200);
    await expectUnauthorized(await me({ chirpy_access: session.access }, https));
  });

  it('without a cookie: 401', async () => {
    await expectUnauthorized(await me({}));
  });

  it('after sign-out the still-unexpired access cookie is refused: the session is dead', async () => {
    const session = await browserSession();
    await revoke(
      makeRequest('POST', '/api/revoke', { cookies: { chirpy_refresh: session.refresh }, headers: SAME_ORIGIN }),
    );

    await expectUnauthorized(await me({ chirpy_access: session.access }));
  });

  it('after reuse detection every access cookie of the session is refused, the thief’s and the owner’s', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const session = await browserSession();
    const renewal = await renewBrowserSession(session.refresh, { ip: null, userAgent: null });
    if (!renewal.ok) throw new Error('expected a rotation');
    const renewedAccess = renewal.cookies.access.value;
    expect((await me({ chirpy_access: renewedAccess })).status).toBe(200);
    // The owner's browser used its successor since, so the old token can only be a copy.
    if (renewal.cookies.refresh === null) throw new Error('expected a successor');
    const later = await renewBrowserSession(renewal.cookies.refresh.value, { ip: null, userAgent: null });
    if (!later.ok) throw new Error('expected a second rotation');
    await retireSecondsAgo(session.refresh, 31);

    expect(await renewBrowserSession(session.refresh, { ip: null, userAgent: null })).toEqual({
      ok: false,
      reason: 'reused',
    });

    await expectUnauthorized(await me({ chirpy_access: session.access }));
    await expectUnauthorized(await me({ chirpy_access: renewedAccess }));
    await expectUnauthorized(await me({ chirpy_access: later.cookies.access.value }));
  });

  it('after the idle timeout or the absolute end the access cookie is refused', async () => {
    const idle = await browserSession();
    await setSessionTime(sessionIdOf(idle), 'lastUsedAt', 8 * DAY_SECONDS);
    await expectUnauthorized(await me({ chirpy_access: idle.access }));

    const ended = await browserSession();
    await setSessionTime(sessionIdOf(ended), 'expiresAt', 1);
    await expectUnauthorized(await me({ chirpy_access: ended.access }));
  });

  it('an API access token put in the cookie is refused: the cookie only ever holds browser-session tokens', async () => {
    const api = await apiSession();
    await expectUnauthorized(await me({ chirpy_access: api.token }));
    expect((await GET(makeRequest('GET', '/api/me', { bearer: api.token }))).status).toBe(200);
  });

  it('the cookie’s access token sent as a Bearer token is refused: a browser session’s tokens stay in its cookies', async () => {
    const session = await browserSession();
    await expectUnauthorized(await GET(makeRequest('GET', '/api/me', { bearer: session.access })));
    expect((await me({ chirpy_access: session.access })).status).toBe(200);
  });
});
