import { describe, expect, it, vi } from 'vitest';
import { findSessionUser } from '@/lib/auth/session-check';
import { renewBrowserSession } from '@/lib/auth/session-flow';
import { rotateRefreshToken } from '@/lib/auth/session-rotation';
import { apiSession, type BrowserSession, browserSession } from '@/test/fixtures';
import { jsonOf, makeRequest, setCookies } from '@/test/http';
import { accessTokenClaims, isCleared, liveRows, SAME_ORIGIN, sessionRows, tokenRow } from '@/test/session-helpers';
import { POST } from './route';

function sessionIdOf(session: BrowserSession): string {
  return accessTokenClaims(session.access).sid;
}

function expectBothCleared(response: Response, prefix = '') {
  expect(isCleared(setCookies(response).get(`${prefix}chirpy_access`))).toBe(true);
  expect(isCleared(setCookies(response).get(`${prefix}chirpy_refresh`))).toBe(true);
}

describe('POST /api/revoke with the refresh cookie', () => {
  it('ends the whole session: 204, both cookies cleared, every token of the session revoked as signed out', async () => {
    const session = await browserSession();
    const sessionId = sessionIdOf(session);
    const renewal = await renewBrowserSession(session.refresh, { ip: null, userAgent: null });
    if (!renewal.ok || renewal.cookies.refresh === null) throw new Error('expected a rotation');
    const current = renewal.cookies.refresh.value;

    const response = await POST(
      makeRequest('POST', '/api/revoke', {
        cookies: { chirpy_access: session.access, chirpy_refresh: current },
        headers: SAME_ORIGIN,
      }),
    );

    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expectBothCleared(response);
    const rows = await sessionRows(sessionId);
    expect(rows).toHaveLength(2);
    expect(liveRows(rows)).toEqual([]);
    expect(await tokenRow(current)).toMatchObject({ revokedReason: 'signed_out' });
    expect(await tokenRow(session.refresh)).toMatchObject({ revokedReason: 'rotated' });
    expect(await findSessionUser(sessionId, session.id)).toBeNull();
    // The retired token cannot revive it, not even inside the grace window.
    expect(await rotateRefreshToken(session.refresh, { ip: null, userAgent: null })).toEqual({
      ok: false,
      reason: 'revoked',
    });
  });

  it('leaves the user’s other sessions signed in', async () => {
    const session = await browserSession();
    const otherBrowser = await browserSession(session);
    const api = await apiSession();

    await POST(
      makeRequest('POST', '/api/revoke', { cookies: { chirpy_refresh: session.refresh }, headers: SAME_ORIGIN }),
    );

    expect((await tokenRow(otherBrowser.refresh)).revokedAt).toBeNull();
    expect(await findSessionUser(sessionIdOf(otherBrowser), session.id)).toMatchObject({ id: session.id });
    expect((await tokenRow(api.refreshToken)).revokedAt).toBeNull();
  });

  it('an already revoked or unknown cookie: still 204 and cleared (signing out is always safe)', async () => {
    const session = await browserSession();
    const request = () =>
      makeRequest('POST', '/api/revoke', { cookies: { chirpy_refresh: session.refresh }, headers: SAME_ORIGIN });
    await POST(request());

    const again = await POST(request());
    expect(again.status).toBe(204);
    expectBothCleared(again);

    const unknown = await POST(
      makeRequest('POST', '/api/revoke', { cookies: { chirpy_refresh: 'd'.repeat(64) }, headers: SAME_ORIGIN }),
    );
    expect(unknown.status).toBe(204);
    expectBothCleared(unknown);
  });

  it('over https (said by a trusted proxy): the __Host- cookie ends the session and the __Host- cookies are cleared', async () => {
    vi.stubEnv('TRUST_PROXY', '1');
    const session = await browserSession();

    const response = await POST(
      makeRequest('POST', '/api/revoke', {
        cookies: { '__Host-chirpy_refresh': session.refresh },
        headers: { host: 'localhost:3000', 'x-forwarded-proto': 'https', origin: 'https://localhost:3000' },
      }),
    );

    expect(response.status).toBe(204);
    expectBothCleared(response, '__Host-');
    expect(setCookies(response).get('__Host-chirpy_refresh')?.attributes.get('secure')).toBe(true);
    expect(await tokenRow(session.refresh)).toMatchObject({ revokedReason: 'signed_out' });
  });

  it('only the access cookie left: its session still ends, 204 and both cookies cleared', async () => {
    const session = await browserSession();

    const response = await POST(
      makeRequest('POST', '/api/revoke', { cookies: { chirpy_access: session.access }, headers: SAME_ORIGIN }),
    );

    expect(response.status).toBe(204);
    expectBothCleared(response);
    expect(await tokenRow(session.refresh)).toMatchObject({ revokedReason: 'signed_out' });
    expect(await findSessionUser(sessionIdOf(session), session.id)).toBeNull();
  });

  it('JSON without a cookie or an Authorization header: 401', async () => {
    const response = await POST(makeRequest('POST', '/api/revoke', { headers: SAME_ORIGIN }));
    expect(await jsonOf(response)).toEqual({ status: 401, body: { error: expect.any(String) } });
  });

  it('a form post without cookies is no sign-out form any more: 401 JSON, not a redirect (pages use a server action)', async () => {
    const response = await POST(makeRequest('POST', '/api/revoke', { form: {}, headers: SAME_ORIGIN }));
    expect(await jsonOf(response)).toEqual({ status: 401, body: { error: expect.any(String) } });
    expect(response.headers.get('location')).toBeNull();
  });
});
