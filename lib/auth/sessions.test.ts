import { describe, expect, it } from 'vitest';
import { newUserForEachTest, signUp } from '@/test/fixtures';
import {
  SESSION_CONTEXT as CONTEXT,
  DAY_SECONDS,
  eventsOf,
  expectSecondsAbout,
  liveRows,
  rotate,
  secondsFromNow,
  sessionRows,
  setSessionTime,
  tokenRow,
} from '@/test/session-helpers';
import { findSessionUser } from './session-check';
import {
  createSession,
  endOtherSessions,
  endSession,
  listSessions,
  revokeSession,
  revokeSessionById,
} from './sessions';
import { hashRefreshToken } from './tokens';

const user = newUserForEachTest();

describe('createSession', () => {
  it('stores only the SHA-256 of a browser refresh token, with a 60-day absolute end and a cookie bounded by the idle timeout', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);

    const rows = await sessionRows(sessionId);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({
      tokenHash: hashRefreshToken(refreshToken.value),
      userId: user.id,
      client: 'browser',
      revokedAt: null,
      revokedReason: null,
      replacedBy: null,
      userAgent: CONTEXT.userAgent,
      ip: '203.0.113.7',
    });
    expect(row?.sessionStartedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(row)).not.toContain(refreshToken.value);
    expectSecondsAbout(secondsFromNow(row?.expiresAt ?? new Date(0)), 60 * DAY_SECONDS);
    // The cookie lives until the idle timeout (default 7 days), renewed on each rotation.
    expectSecondsAbout(secondsFromNow(refreshToken.expiresAt), 7 * DAY_SECONDS);
  });

  it('gives a bearer refresh token the full 60 days: it has no idle rule', async () => {
    const { refreshToken } = await createSession(user.id, 'bearer', { ip: null, userAgent: null });
    expectSecondsAbout(secondsFromNow(refreshToken.expiresAt), 60 * DAY_SECONDS);
    expect(await tokenRow(refreshToken.value)).toMatchObject({ client: 'bearer', userAgent: null });
  });
});

describe('revokeSession', () => {
  it('ends every live token of the session as signed out and leaves other sessions alone', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
    const other = await createSession(user.id, 'browser', CONTEXT);
    const current = await rotate(refreshToken.value);

    // Signing out with the old (retired) token still ends the session.
    await revokeSession(refreshToken.value, CONTEXT);

    const rows = await sessionRows(sessionId);
    expect(liveRows(rows)).toEqual([]);
    expect((await tokenRow(current)).revokedReason).toBe('signed_out');
    expect(await findSessionUser(sessionId, user.id)).toBeNull();
    expect(await findSessionUser(other.sessionId, user.id)).toMatchObject({ id: user.id });
  });

  it('is idempotent and ignores tokens it does not know', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
    await revokeSession(refreshToken.value, CONTEXT);
    const [first] = await sessionRows(sessionId);

    await revokeSession(refreshToken.value, CONTEXT);
    await revokeSession('b'.repeat(64), CONTEXT);
    await revokeSession('nonsense', CONTEXT);

    const [again] = await sessionRows(sessionId);
    expect(again?.revokedAt?.getTime()).toBe(first?.revokedAt?.getTime());
    expect(again?.revokedReason).toBe('signed_out');
    // Ended once, recorded once.
    expect(await eventsOf('session_ended')).toEqual([
      expect.objectContaining({ userId: user.id, sessionId, detail: 'signed_out', ip: CONTEXT.ip }),
    ]);
  });
});

describe('revokeSessionById', () => {
  it('ends the session an access token names (sign-out with only the access cookie), recorded as signed_out', async () => {
    const { sessionId } = await createSession(user.id, 'browser', CONTEXT);

    await revokeSessionById(sessionId, CONTEXT);

    expect(liveRows(await sessionRows(sessionId))).toEqual([]);
    expect(await eventsOf('session_ended')).toEqual([expect.objectContaining({ sessionId, detail: 'signed_out' })]);
  });
});

describe('listSessions', () => {
  it('lists each live session once, however often it rotated, most recently used first, marking the current one', async () => {
    const browser = await createSession(user.id, 'browser', { ip: '203.0.113.80', userAgent: 'curl/8.5.0' });
    const api = await createSession(user.id, 'bearer', CONTEXT);
    await rotate(await rotate(browser.refreshToken.value));
    const stranger = await signUp();
    await createSession(stranger.id, 'bearer', CONTEXT);

    const sessions = await listSessions(user.id, api.sessionId);

    expect(sessions).toEqual([
      {
        id: browser.sessionId,
        createdAt: expect.any(Date),
        lastUsedAt: expect.any(Date),
        device: 'Unknown device',
        ip: CONTEXT.ip,
        current: false,
      },
      {
        id: api.sessionId,
        createdAt: expect.any(Date),
        lastUsedAt: expect.any(Date),
        device: 'Unknown device',
        ip: CONTEXT.ip,
        current: true,
      },
    ]);
    // The session began at sign-in, whatever rotated since.
    expect(sessions[0]?.createdAt.getTime()).toBe(
      (await sessionRows(browser.sessionId))[0]?.sessionStartedAt.getTime(),
    );
  });

  it('marks nothing current for a caller whose token names no session', async () => {
    await createSession(user.id, 'bearer', CONTEXT);
    expect((await listSessions(user.id, null)).map((session) => session.current)).toEqual([false]);
  });
});

describe('endSession and endOtherSessions', () => {
  it("endSession answers not_found for another user's session and for one already ended, and touches neither", async () => {
    const mine = await createSession(user.id, 'browser', CONTEXT);
    const stranger = await signUp();
    const theirs = await createSession(stranger.id, 'browser', CONTEXT);

    expect(await endSession(user.id, theirs.sessionId, CONTEXT)).toEqual({ ok: false, reason: 'not_found' });
    expect(liveRows(await sessionRows(theirs.sessionId))).toHaveLength(1);
    expect(await endSession(user.id, mine.sessionId, CONTEXT)).toEqual({ ok: true });
    expect(await endSession(user.id, mine.sessionId, CONTEXT)).toEqual({ ok: false, reason: 'not_found' });
  });

  it('endSession answers not_found for a session that already ran out (nothing left to end)', async () => {
    const { sessionId } = await createSession(user.id, 'browser', CONTEXT);
    await setSessionTime(sessionId, 'lastUsedAt', 8 * DAY_SECONDS);

    expect(await endSession(user.id, sessionId, CONTEXT)).toEqual({ ok: false, reason: 'not_found' });
    expect(await eventsOf('session_ended')).toEqual([]);
  });

  it('endOtherSessions ends all but the current one and says how many', async () => {
    const current = await createSession(user.id, 'browser', CONTEXT);
    await createSession(user.id, 'browser', CONTEXT);
    await createSession(user.id, 'bearer', CONTEXT);

    expect(await endOtherSessions(user.id, current.sessionId, CONTEXT)).toBe(2);
    expect((await listSessions(user.id, current.sessionId)).map((session) => session.id)).toEqual([current.sessionId]);
    expect(await endOtherSessions(user.id, current.sessionId, CONTEXT)).toBe(0);
  });
});
