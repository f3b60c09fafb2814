import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { GET as me } from '@/app/api/me/route';
import { POST as refresh } from '@/app/api/refresh/route';
import { listRecentAuthEvents } from '@/lib/audit';
import { apiSession, browserSession } from '@/test/fixtures';
import { expectError, fromAddress, makeRequest, params } from '@/test/http';
import { accessTokenClaims, liveRows, SAME_ORIGIN, sessionRows } from '@/test/session-helpers';
import { DELETE } from './route';

// fromAddress plays a client on a bare server (no proxy in front); the Vercel run of the suite sets
// VERCEL, which would otherwise make the platform's headers the source of the address.
beforeEach(() => {
  vi.stubEnv('TRUST_PROXY', 'none');
});

type Auth = { bearer: string } | { cookie: string };

function endSession(id: string, auth: Auth, headers: Record<string, string> = {}) {
  const request =
    'bearer' in auth
      ? makeRequest('DELETE', `/api/sessions/${id}`, { bearer: auth.bearer, headers })
      : makeRequest('DELETE', `/api/sessions/${id}`, {
          cookies: { chirpy_access: auth.cookie },
          headers: { ...SAME_ORIGIN, ...headers },
        });
  return DELETE(request, params({ sessionID: id }));
}

async function meStatus(auth: Auth): Promise<number> {
  const request =
    'bearer' in auth
      ? makeRequest('GET', '/api/me', { bearer: auth.bearer })
      : makeRequest('GET', '/api/me', { cookies: { chirpy_access: auth.cookie } });
  return (await me(request)).status;
}

describe('DELETE /api/sessions/{id}', () => {
  it("ends another of the caller's bearer sessions: 204, and its access token fails at once, its refresh token too", async () => {
    const caller = await apiSession();
    const laptop = await apiSession(caller);
    expect(await meStatus({ bearer: laptop.token })).toBe(200);

    const response = await endSession(accessTokenClaims(laptop.token).sid, { bearer: caller.token });

    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(await meStatus({ bearer: laptop.token })).toBe(401);
    expect((await refresh(makeRequest('POST', '/api/refresh', { bearer: laptop.refreshToken }))).status).toBe(401);
    expect(await meStatus({ bearer: caller.token })).toBe(200);
  });

  it('ends a browser session: its still-unexpired access cookie is refused at once', async () => {
    const caller = await apiSession();
    const browser = await browserSession(caller);
    const sessionId = accessTokenClaims(browser.access).sid;
    expect(await meStatus({ cookie: browser.access })).toBe(200);

    expect((await endSession(sessionId, { bearer: caller.token })).status).toBe(204);

    expect(await meStatus({ cookie: browser.access })).toBe(401);
    expect(liveRows(await sessionRows(sessionId))).toEqual([]);
  });

  it('works with the session cookie as well, and records who ended the session and from where', async () => {
    const browser = await browserSession();
    const api = await apiSession(browser);
    const apiSessionId = accessTokenClaims(api.token).sid;

    const response = await endSession(
      apiSessionId,
      { cookie: browser.access },
      { ...fromAddress('203.0.113.61'), 'user-agent': 'curl/8.5.0' },
    );

    expect(response.status).toBe(204);
    expect(await meStatus({ bearer: api.token })).toBe(401);
    expect(await listRecentAuthEvents(browser.id)).toContainEqual(
      expect.objectContaining({
        type: 'session_ended',
        userId: browser.id,
        sessionId: apiSessionId,
        detail: 'other_session',
        ip: '203.0.113.61',
        userAgent: 'curl/8.5.0',
      }),
    );
  });

  it("answers 404 for someone else's session, exactly as for an unknown one, and leaves it alone", async () => {
    const caller = await apiSession();
    const stranger = await apiSession();

    const theirs = await endSession(accessTokenClaims(stranger.token).sid, { bearer: caller.token });
    const unknown = await endSession(randomUUID(), { bearer: caller.token });

    expect(await expectError(theirs, 404)).toBe(await expectError(unknown, 404));
    expect(await meStatus({ bearer: stranger.token })).toBe(200);
    expect(liveRows(await sessionRows(accessTokenClaims(stranger.token).sid))).toHaveLength(1);
  });

  it('answers 404 for a session already ended', async () => {
    const caller = await apiSession();
    const other = await apiSession(caller);
    const id = accessTokenClaims(other.token).sid;
    expect((await endSession(id, { bearer: caller.token })).status).toBe(204);

    await expectError(await endSession(id, { bearer: caller.token }), 404);
  });

  it('answers 400 for an id that is not a UUID, 401 without an access token', async () => {
    const caller = await apiSession();

    expect(await expectError(await endSession('not-a-uuid', { bearer: caller.token }), 400)).toBe(
      'Session id must be a UUID',
    );
    const id = accessTokenClaims(caller.token).sid;
    await expectError(await DELETE(makeRequest('DELETE', `/api/sessions/${id}`), params({ sessionID: id })), 401);
    expect(await meStatus({ bearer: caller.token })).toBe(200);
  });
});
