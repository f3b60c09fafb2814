import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiSession, browserSession, signUp, type TestUser } from '@/test/fixtures';
import { ATTACKER, endWindows, limit, OWNER, rateLimitKeys } from '@/test/rate-limits';
import { accessTokenClaims, liveRows, sessionRows, tokenRow } from '@/test/session-helpers';
import { findSessionUser } from './session-check';
import { refreshAccessToken, renewBrowserSession, signOut } from './session-flow';
import { rotateRefreshToken } from './session-rotation';
import { createSession } from './sessions';
import { hashRefreshToken, verifyAccessToken } from './tokens';

const CONTEXT = { ip: '198.51.100.4', userAgent: 'Mozilla/5.0 (session-flow test)' };

let user: TestUser;

beforeEach(async () => {
  user = await signUp();
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('refreshAccessToken', () => {
  it('issues an access token naming the session, and records when and where the refresh token was used', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'bearer', OWNER);
    const before = await tokenRow(refreshToken.value);

    const refresh = await refreshAccessToken(refreshToken.value, { ip: '192.0.2.44', userAgent: 'other' });

    if (!refresh.ok) throw new Error('expected a new access token');
    expect(await verifyAccessToken(refresh.token.value, 'bearer')).toEqual({ ok: true, userId: user.id, sessionId });
    const after = await tokenRow(refreshToken.value);
    expect(after.ip).toBe('192.0.2.44');
    expect(after.lastUsedAt.getTime()).toBeGreaterThanOrEqual(before.lastUsedAt.getTime());
    // The device is the one that signed in; the address is where it was last seen.
    expect(after.userAgent).toBe(OWNER.userAgent);
  });

  it('per session: over the limit it answers rate_limited, and the same user’s other session is unaffected', async () => {
    limit('REFRESH', 2, 60);
    const busy = await createSession(user.id, 'bearer', OWNER);
    const quiet = await createSession(user.id, 'bearer', OWNER);

    const results = [];
    for (let i = 0; i < 3; i++) results.push(await refreshAccessToken(busy.refreshToken.value, OWNER));

    expect(results.map((result) => result.ok)).toEqual([true, true, false]);
    expect(results[2]).toEqual({ ok: false, reason: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    expect(await refreshAccessToken(quiet.refreshToken.value, OWNER)).toMatchObject({ ok: true });
    // Refused, not ended: once the window has passed the token works again.
    await endWindows();
    expect(await refreshAccessToken(busy.refreshToken.value, OWNER)).toMatchObject({ ok: true });
  });

  it('counts by session id: tokens it never issued leave no rows, and no key holds a token or its hash', async () => {
    const { refreshToken } = await createSession(user.id, 'bearer', OWNER);
    await refreshAccessToken('f'.repeat(64), ATTACKER);
    await refreshAccessToken('junk', ATTACKER);
    expect(await rateLimitKeys('bearer_refresh')).toEqual([]);

    await refreshAccessToken(refreshToken.value, OWNER);

    const keys = await rateLimitKeys('bearer_refresh');
    expect(keys).toHaveLength(1);
    for (const key of keys) {
      expect(key).not.toContain(refreshToken.value);
      expect(key).not.toContain(hashRefreshToken(refreshToken.value));
    }
  });
});

describe('renewBrowserSession', () => {
  it('over the rotation limit: nothing rotates, nobody is signed out, and the caller is told to wait', async () => {
    limit('ROTATION', 1, 60);
    const { sessionId, refreshToken } = await createSession(user.id, 'browser', OWNER);
    const first = await renewBrowserSession(refreshToken.value, OWNER);
    if (!first.ok || first.cookies.refresh === null) throw new Error('expected a first rotation');
    const current = first.cookies.refresh.value;
    const rowsBefore = await sessionRows(sessionId);

    const refused = await renewBrowserSession(current, OWNER);

    expect(refused).toEqual({ ok: false, reason: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    expect(await sessionRows(sessionId)).toEqual(rowsBefore);
    expect((await tokenRow(current)).revokedAt).toBeNull();
    await endWindows();
    expect(await renewBrowserSession(current, OWNER)).toMatchObject({ ok: true });
  });

  it('counts per session: a busy session does not hold up another', async () => {
    limit('ROTATION', 1, 60);
    const busy = await createSession(user.id, 'browser', OWNER);
    const other = await createSession(user.id, 'browser', OWNER);
    const rotated = await renewBrowserSession(busy.refreshToken.value, OWNER);
    if (!rotated.ok || rotated.cookies.refresh === null) throw new Error('expected a rotation');
    expect(await renewBrowserSession(rotated.cookies.refresh.value, OWNER)).toMatchObject({ reason: 'rate_limited' });

    expect(await renewBrowserSession(other.refreshToken.value, OWNER)).toMatchObject({ ok: true });
  });

  it('a cookie we never issued leaves no rate-limit row', async () => {
    expect(await renewBrowserSession('e'.repeat(64), ATTACKER)).toEqual({ ok: false, reason: 'unknown' });
    expect(await rateLimitKeys('cookie_rotation')).toEqual([]);
  });
});

describe('signOut (from the session cookies)', () => {
  it('ends the whole session the refresh cookie names, rotated tokens included, and no other session', async () => {
    const session = await browserSession();
    const sessionId = accessTokenClaims(session.access).sid;
    const rotation = await rotateRefreshToken(session.refresh, CONTEXT);
    if (!rotation.ok || rotation.refreshToken === null) throw new Error('expected a rotation');
    const otherBrowser = await browserSession(session);
    const api = await apiSession(session);

    await signOut({ access: undefined, refresh: rotation.refreshToken.value }, CONTEXT);

    expect(liveRows(await sessionRows(sessionId))).toEqual([]);
    expect(await tokenRow(rotation.refreshToken.value)).toMatchObject({ revokedReason: 'signed_out' });
    expect(await findSessionUser(sessionId, session.id)).toBeNull();
    expect((await tokenRow(otherBrowser.refresh)).revokedAt).toBeNull();
    expect((await tokenRow(api.refreshToken)).revokedAt).toBeNull();
  });

  it('with only the access cookie left, ends the session its sid names', async () => {
    const session = await browserSession();

    await signOut({ access: session.access, refresh: undefined }, CONTEXT);

    expect(await tokenRow(session.refresh)).toMatchObject({ revokedReason: 'signed_out' });
  });

  it('is safe with unknown, malformed or no cookies at all: nothing ends, nothing throws', async () => {
    const session = await browserSession();

    await signOut({ access: 'not-a-jwt', refresh: 'd'.repeat(64) }, CONTEXT);
    await signOut({ access: undefined, refresh: 'short' }, CONTEXT);
    await signOut({ access: undefined, refresh: undefined }, CONTEXT);

    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();
  });
});
