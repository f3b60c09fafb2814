import { describe, expect, it } from 'vitest';
import { GET as me } from '@/app/api/me/route';
import { listRecentAuthEvents } from '@/lib/audit';
import { apiSession, browserSession, refreshTokenRows } from '@/test/fixtures';
import { expectError, makeRequest } from '@/test/http';
import { accessTokenClaims, SAME_ORIGIN } from '@/test/session-helpers';
import { POST } from './route';

async function meStatus(request: { bearer: string } | { cookie: string }): Promise<number> {
  return (
    await me(
      'bearer' in request
        ? makeRequest('GET', '/api/me', { bearer: request.bearer })
        : makeRequest('GET', '/api/me', { cookies: { chirpy_access: request.cookie } }),
    )
  ).status;
}

function liveSessionIds(rows: Awaited<ReturnType<typeof refreshTokenRows>>): string[] {
  return rows.filter((row) => row.revokedAt === null).map((row) => row.sessionId);
}

describe('POST /api/sessions/revoke-others', () => {
  it("ends every other session of the caller, bearer and browser, at once; keeps the caller's; leaves others' alone", async () => {
    const caller = await apiSession();
    const otherApi = await apiSession(caller);
    const otherBrowser = await browserSession(caller);
    const stranger = await apiSession();

    const response = await POST(makeRequest('POST', '/api/sessions/revoke-others', { bearer: caller.token }));

    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(liveSessionIds(await refreshTokenRows(caller.id))).toEqual([accessTokenClaims(caller.token).sid]);
    expect(await meStatus({ bearer: caller.token })).toBe(200);
    expect(await meStatus({ bearer: otherApi.token })).toBe(401);
    expect(await meStatus({ cookie: otherBrowser.access })).toBe(401);
    expect(await meStatus({ bearer: stranger.token })).toBe(200);
    const ended = (await listRecentAuthEvents(caller.id)).filter((event) => event.type === 'session_ended');
    expect(ended.map((event) => [event.sessionId, event.detail]).sort()).toEqual(
      [
        [accessTokenClaims(otherApi.token).sid, 'other_session'],
        [accessTokenClaims(otherBrowser.access).sid, 'other_session'],
      ].sort(),
    );
  });

  it('with the session cookie: the browser session making the request is the one kept', async () => {
    const browser = await browserSession();
    const api = await apiSession(browser);

    const response = await POST(
      makeRequest('POST', '/api/sessions/revoke-others', {
        cookies: { chirpy_access: browser.access },
        headers: SAME_ORIGIN,
      }),
    );

    expect(response.status).toBe(204);
    expect(liveSessionIds(await refreshTokenRows(browser.id))).toEqual([accessTokenClaims(browser.access).sid]);
    expect(await meStatus({ cookie: browser.access })).toBe(200);
    expect(await meStatus({ bearer: api.token })).toBe(401);
  });

  it('answers 204 when there is nothing else to end, and 401 without an access token', async () => {
    const caller = await apiSession();

    expect((await POST(makeRequest('POST', '/api/sessions/revoke-others', { bearer: caller.token }))).status).toBe(204);
    await expectError(await POST(makeRequest('POST', '/api/sessions/revoke-others')), 401);
    expect(await meStatus({ bearer: caller.token })).toBe(200);
  });
});
