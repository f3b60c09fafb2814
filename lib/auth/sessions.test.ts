import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signUp, type TestUser } from '@/test/fixtures';
import {
  DAY_SECONDS,
  expectSecondsAbout,
  liveRows,
  retireSecondsAgo,
  sessionRows,
  setSessionTime,
  tokenRow,
  warmConnections,
} from '@/test/session-helpers';
import { getDb } from '../db/client';
import { type AuthEvent, authEvents } from '../db/schema';
import {
  createSession,
  endOtherSessions,
  endSession,
  findSessionUser,
  listSessions,
  revokeSession,
  revokeSessionById,
  rotateRefreshToken,
  validateRefreshToken,
} from './sessions';
import { hashRefreshToken } from './tokens';

const UA = 'Mozilla/5.0 (sessions test)';
const CONTEXT = { ip: '203.0.113.7', userAgent: UA };

let user: TestUser;

beforeEach(async () => {
  user = await signUp();
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

async function eventsOf(type: AuthEvent['type']): Promise<AuthEvent[]> {
  const db = await getDb();
  return db.select().from(authEvents).where(eq(authEvents.type, type)).orderBy(authEvents.id);
}

/** A rotation that must succeed with a successor; returns the successor's plaintext. */
async function rotate(token: string): Promise<string> {
  const rotation = await rotateRefreshToken(token, CONTEXT);
  if (!rotation.ok || rotation.refreshToken === null)
    throw new Error(`expected a new refresh token: ${JSON.stringify(rotation)}`);
  return rotation.refreshToken.value;
}

function secondsFromNow(date: Date): number {
  return (date.getTime() - Date.now()) / 1000;
}

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
      userAgent: UA,
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

describe('rotateRefreshToken', () => {
  it('retires the presented token, linked to its successor in the same session with the same absolute end', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
    const before = await tokenRow(refreshToken.value);

    const rotation = await rotateRefreshToken(refreshToken.value, { ip: '198.51.100.2', userAgent: 'second browser' });
    // The session's user comes back with the rotation: a renewed request needs no other query.
    expect(rotation).toMatchObject({ ok: true, user: { id: user.id, email: user.email }, sessionId });
    if (!rotation.ok || rotation.refreshToken === null) throw new Error('expected a successor');
    const successor = rotation.refreshToken.value;
    expect(successor).not.toBe(refreshToken.value);

    const retired = await tokenRow(refreshToken.value);
    expect(retired).toMatchObject({ revokedReason: 'rotated', replacedBy: hashRefreshToken(successor), sessionId });
    expect(retired.revokedAt).toBeInstanceOf(Date);
    const next = await tokenRow(successor);
    expect(next).toMatchObject({
      sessionId,
      userId: user.id,
      client: 'browser',
      revokedAt: null,
      userAgent: 'second browser',
      ip: '198.51.100.2',
    });
    expect(next.expiresAt.getTime()).toBe(before.expiresAt.getTime());
    // The session's start is the sign-in's, however often it rotates.
    expect(next.sessionStartedAt.getTime()).toBe(before.sessionStartedAt.getTime());
    expect(liveRows(await sessionRows(sessionId)).map((row) => row.tokenHash)).toEqual([hashRefreshToken(successor)]);
  });

  it('chains: the successor rotates in turn and each retired token points at the next', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
    const second = await rotate(refreshToken.value);
    const third = await rotate(second);

    expect(await sessionRows(sessionId)).toHaveLength(3);
    expect(await tokenRow(refreshToken.value)).toMatchObject({
      replacedBy: hashRefreshToken(second),
      revokedReason: 'rotated',
    });
    expect(await tokenRow(second)).toMatchObject({ replacedBy: hashRefreshToken(third), revokedReason: 'rotated' });
    expect(await tokenRow(third)).toMatchObject({ replacedBy: null, revokedReason: null, revokedAt: null });
  });

  it('never extends the absolute end: the cookie expires with the session, not a fresh idle period', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
    await setSessionTime(sessionId, 'expiresAt', -2 * DAY_SECONDS);
    const [original] = await sessionRows(sessionId);

    const rotation = await rotateRefreshToken(refreshToken.value, CONTEXT);
    if (!rotation.ok || rotation.refreshToken === null) throw new Error('expected a successor');
    expect(rotation.refreshToken.expiresAt.getTime()).toBe(original?.expiresAt.getTime());
    expect((await tokenRow(rotation.refreshToken.value)).expiresAt.getTime()).toBe(original?.expiresAt.getTime());
  });

  it('refuses a token past the absolute end as expired, and the session is over', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
    await setSessionTime(sessionId, 'expiresAt', 1);

    expect(await rotateRefreshToken(refreshToken.value, CONTEXT)).toEqual({ ok: false, reason: 'expired' });
    expect(await sessionRows(sessionId)).toHaveLength(1);
    expect(await findSessionUser(sessionId, user.id)).toBeNull();
  });

  it('refuses a token idle for longer than the default 7 days as expired', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
    await setSessionTime(sessionId, 'lastUsedAt', 8 * DAY_SECONDS);

    expect(await rotateRefreshToken(refreshToken.value, CONTEXT)).toEqual({ ok: false, reason: 'expired' });
    expect(await findSessionUser(sessionId, user.id)).toBeNull();
  });

  it('keeps a session used within the idle timeout alive', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
    await setSessionTime(sessionId, 'lastUsedAt', 6 * DAY_SECONDS);

    expect(await findSessionUser(sessionId, user.id)).toMatchObject({ id: user.id });
    const successor = await rotate(refreshToken.value);
    // Rotation is use: the idle clock starts again.
    expectSecondsAbout(secondsFromNow((await tokenRow(successor)).lastUsedAt), 0);
  });

  it('reads the idle timeout from SESSION_IDLE_TIMEOUT_DAYS', async () => {
    vi.stubEnv('SESSION_IDLE_TIMEOUT_DAYS', '2');
    const fresh = await createSession(user.id, 'browser', CONTEXT);
    expectSecondsAbout(secondsFromNow(fresh.refreshToken.expiresAt), 2 * DAY_SECONDS);

    await setSessionTime(fresh.sessionId, 'lastUsedAt', 1 * DAY_SECONDS);
    const successor = await rotate(fresh.refreshToken.value);

    const stale = await createSession(user.id, 'browser', CONTEXT);
    await setSessionTime(stale.sessionId, 'lastUsedAt', 3 * DAY_SECONDS);
    expect(await rotateRefreshToken(stale.refreshToken.value, CONTEXT)).toEqual({ ok: false, reason: 'expired' });
    expect((await tokenRow(successor)).revokedAt).toBeNull();
  });

  it('answers a token presented again within the grace window with success but no new refresh token', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
    const successor = await rotate(refreshToken.value);
    await retireSecondsAgo(refreshToken.value, 20);

    expect(await rotateRefreshToken(refreshToken.value, CONTEXT)).toEqual({
      ok: true,
      user: expect.objectContaining({ id: user.id, email: user.email }),
      sessionId,
      refreshToken: null,
    });
    // The session did not fork: the one successor is still the only live token.
    const rows = await sessionRows(sessionId);
    expect(rows).toHaveLength(2);
    expect(liveRows(rows).map((row) => row.tokenHash)).toEqual([hashRefreshToken(successor)]);
  });

  it('treats a retired token presented after the grace window as stolen: every token of the session is revoked', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
    const second = await rotate(refreshToken.value);
    const third = await rotate(second);
    await retireSecondsAgo(refreshToken.value, 31);

    expect(await rotateRefreshToken(refreshToken.value, CONTEXT)).toEqual({ ok: false, reason: 'reused' });

    const rows = await sessionRows(sessionId);
    expect(liveRows(rows)).toEqual([]);
    // The thief's (or the owner's) current token dies with the reason recorded; the chain's history stays.
    expect(rows).toHaveLength(3);
    expect((await tokenRow(third)).revokedReason).toBe('reuse_detected');
    expect((await tokenRow(refreshToken.value)).revokedReason).toBe('rotated');
    expect((await tokenRow(second)).revokedReason).toBe('rotated');
    expect(await rotateRefreshToken(third, CONTEXT)).toEqual({ ok: false, reason: 'revoked' });
    expect(await findSessionUser(sessionId, user.id)).toBeNull();

    // The event is in the audit log and the server log; the token is in neither.
    expect(await eventsOf('reuse_detected')).toEqual([
      expect.objectContaining({ userId: user.id, sessionId, ip: CONTEXT.ip, userAgent: CONTEXT.userAgent }),
    ]);
    expect(warn).toHaveBeenCalledTimes(1);
    const logged = warn.mock.calls.flat().map(String).join(' ');
    expect(logged).toContain(sessionId);
    for (const secret of [refreshToken.value, second, third]) {
      expect(logged).not.toContain(secret);
      expect(logged).not.toContain(hashRefreshToken(secret));
    }
  });

  describe('the lost response: a successor that never reached the browser', () => {
    it('after the grace window, a retired token whose successor was never used is exchanged once more: nobody is signed out', async () => {
      const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
      const lost = await rotate(refreshToken.value);
      await retireSecondsAgo(refreshToken.value, 31);

      const again = await rotateRefreshToken(refreshToken.value, CONTEXT);

      if (!again.ok || again.refreshToken === null)
        throw new Error(`expected a new refresh token: ${JSON.stringify(again)}`);
      const replacement = again.refreshToken.value;
      expect(replacement).not.toBe(lost);
      expect(await tokenRow(lost)).toMatchObject({
        revokedReason: 'superseded',
        replacedBy: hashRefreshToken(replacement),
      });
      expect(liveRows(await sessionRows(sessionId)).map((row) => row.tokenHash)).toEqual([
        hashRefreshToken(replacement),
      ]);
      // The replacement is an ordinary token from then on.
      await rotate(replacement);
      expect(await findSessionUser(sessionId, user.id)).toMatchObject({ id: user.id });
    });

    it('only once: the same retired token presented again after that exchange’s grace window is reuse, and the session ends', async () => {
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
      const lost = await rotate(refreshToken.value);
      await retireSecondsAgo(refreshToken.value, 31);
      expect(await rotateRefreshToken(refreshToken.value, CONTEXT)).toMatchObject({ ok: true });
      // The late exchange superseded `lost` at this moment; its grace window is over too.
      await retireSecondsAgo(lost, 31);

      expect(await rotateRefreshToken(refreshToken.value, CONTEXT)).toEqual({ ok: false, reason: 'reused' });
      expect(liveRows(await sessionRows(sessionId))).toEqual([]);
    });

    it('two requests presenting the retired token at once (a page and its prefetch) both succeed, on one successor', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
      await rotate(refreshToken.value);
      await retireSecondsAgo(refreshToken.value, 31);
      await warmConnections(2);

      const both = await Promise.all([
        rotateRefreshToken(refreshToken.value, CONTEXT),
        rotateRefreshToken(refreshToken.value, CONTEXT),
      ]);

      expect(both).toEqual([
        expect.objectContaining({ ok: true, sessionId }),
        expect.objectContaining({ ok: true, sessionId }),
      ]);
      const successors = both.flatMap((rotation) =>
        rotation.ok && rotation.refreshToken ? [rotation.refreshToken] : [],
      );
      expect(successors).toHaveLength(1);
      expect(liveRows(await sessionRows(sessionId)).map((row) => row.tokenHash)).toEqual([
        hashRefreshToken(successors[0]?.value ?? ''),
      ]);
      expect(await eventsOf('reuse_detected')).toEqual([]);
      expect(warn).not.toHaveBeenCalled();
      await rotate(successors[0]?.value ?? '');
    });

    it('within that exchange’s grace window the retired token gets an access token but no new refresh token', async () => {
      const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
      const lost = await rotate(refreshToken.value);
      await retireSecondsAgo(refreshToken.value, 31);
      const replacement = await rotate(refreshToken.value);
      await retireSecondsAgo(lost, 20);

      expect(await rotateRefreshToken(refreshToken.value, CONTEXT)).toEqual({
        ok: true,
        user: expect.objectContaining({ id: user.id }),
        sessionId,
        refreshToken: null,
      });
      expect(liveRows(await sessionRows(sessionId)).map((row) => row.tokenHash)).toEqual([
        hashRefreshToken(replacement),
      ]);
    });

    it('once the exchange’s successor has been used, the retired token is reuse even within that window', async () => {
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
      await rotate(refreshToken.value);
      await retireSecondsAgo(refreshToken.value, 31);
      await rotate(await rotate(refreshToken.value));

      expect(await rotateRefreshToken(refreshToken.value, CONTEXT)).toEqual({ ok: false, reason: 'reused' });
      expect(liveRows(await sessionRows(sessionId))).toEqual([]);
    });

    it('the superseded token itself stays reuse within that window: its holder is the other party', async () => {
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
      const lost = await rotate(refreshToken.value);
      await retireSecondsAgo(refreshToken.value, 31);
      await rotate(refreshToken.value);

      expect(await rotateRefreshToken(lost, CONTEXT)).toEqual({ ok: false, reason: 'reused' });
      expect(liveRows(await sessionRows(sessionId))).toEqual([]);
    });

    it('if a thief exchanged first, the rightful browser presenting its superseded token ends the session for both', async () => {
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const { sessionId, refreshToken: stolen } = await createSession(user.id, 'browser', CONTEXT);
      const owners = await rotate(stolen.value);
      await retireSecondsAgo(stolen.value, 31);
      const thiefs = await rotateRefreshToken(stolen.value, CONTEXT);
      if (!thiefs.ok || thiefs.refreshToken === null) throw new Error('expected the thief to get a token');

      expect(await rotateRefreshToken(owners, CONTEXT)).toEqual({ ok: false, reason: 'reused' });

      expect(liveRows(await sessionRows(sessionId))).toEqual([]);
      expect(await rotateRefreshToken(thiefs.refreshToken.value, CONTEXT)).toEqual({ ok: false, reason: 'revoked' });
      expect(await eventsOf('reuse_detected')).toHaveLength(1);
    });
  });

  it('reuse detection leaves the same user’s other sessions alone', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const stolen = await createSession(user.id, 'browser', CONTEXT);
    const laptop = await createSession(user.id, 'browser', CONTEXT);
    const api = await createSession(user.id, 'bearer', { ip: null, userAgent: null });
    // The owner's browser has used its successor since: the retired token can only be a copy.
    await rotate(await rotate(stolen.refreshToken.value));
    await retireSecondsAgo(stolen.refreshToken.value, 31);

    expect(await rotateRefreshToken(stolen.refreshToken.value, CONTEXT)).toEqual({ ok: false, reason: 'reused' });

    expect(await findSessionUser(laptop.sessionId, user.id)).toMatchObject({ id: user.id });
    expect((await tokenRow(laptop.refreshToken.value)).revokedAt).toBeNull();
    expect(await rotateRefreshToken(laptop.refreshToken.value, CONTEXT)).toMatchObject({ ok: true });
    expect(await validateRefreshToken(api.refreshToken.value, CONTEXT)).toMatchObject({
      ok: true,
      userId: user.id,
    });
  });

  it('reads the grace window from REFRESH_REUSE_GRACE_SECONDS', async () => {
    vi.stubEnv('REFRESH_REUSE_GRACE_SECONDS', '10');
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { refreshToken } = await createSession(user.id, 'browser', CONTEXT);
    await rotate(await rotate(refreshToken.value));

    await retireSecondsAgo(refreshToken.value, 5);
    expect(await rotateRefreshToken(refreshToken.value, CONTEXT)).toMatchObject({ ok: true, refreshToken: null });
    await retireSecondsAgo(refreshToken.value, 11);
    expect(await rotateRefreshToken(refreshToken.value, CONTEXT)).toEqual({ ok: false, reason: 'reused' });
  });

  it('refuses a signed-out session’s tokens as revoked, with or without the grace window', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
    const successor = await rotate(refreshToken.value);
    await revokeSession(successor, CONTEXT);

    expect(await rotateRefreshToken(successor, CONTEXT)).toEqual({ ok: false, reason: 'revoked' });
    // Inside the grace window the retired token cannot bring the ended session back either.
    expect(await rotateRefreshToken(refreshToken.value, CONTEXT)).toEqual({ ok: false, reason: 'revoked' });
    expect(liveRows(await sessionRows(sessionId))).toEqual([]);
  });

  it('refuses tokens it never issued, and strings that are not tokens, as unknown', async () => {
    expect(await rotateRefreshToken('a'.repeat(64), CONTEXT)).toEqual({ ok: false, reason: 'unknown' });
    expect(await rotateRefreshToken('not a token', CONTEXT)).toEqual({ ok: false, reason: 'unknown' });
    expect(await rotateRefreshToken('', CONTEXT)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('is atomic: of 10 parallel rotations of one token exactly one gets a successor, all succeed, the session does not fork', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
    await warmConnections(10);

    const rotations = await Promise.all(
      Array.from({ length: 10 }, () => rotateRefreshToken(refreshToken.value, CONTEXT)),
    );

    expect(rotations.every((rotation) => rotation.ok && rotation.sessionId === sessionId)).toBe(true);
    const successors = rotations.flatMap((rotation) =>
      rotation.ok && rotation.refreshToken ? [rotation.refreshToken] : [],
    );
    expect(successors).toHaveLength(1);
    const rows = await sessionRows(sessionId);
    expect(rows).toHaveLength(2);
    expect(liveRows(rows).map((row) => row.tokenHash)).toEqual([hashRefreshToken(successors[0]?.value ?? '')]);
    expect(await tokenRow(refreshToken.value)).toMatchObject({
      revokedReason: 'rotated',
      replacedBy: hashRefreshToken(successors[0]?.value ?? ''),
    });
  });

  it('is atomic for the successor too: parallel rotations of it also yield exactly one new token', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
    const second = await rotate(refreshToken.value);
    await warmConnections(10);

    const rotations = await Promise.all(Array.from({ length: 10 }, () => rotateRefreshToken(second, CONTEXT)));

    expect(rotations.filter((rotation) => rotation.ok)).toHaveLength(10);
    expect(rotations.filter((rotation) => rotation.ok && rotation.refreshToken !== null)).toHaveLength(1);
    const rows = await sessionRows(sessionId);
    expect(rows).toHaveLength(3);
    expect(liveRows(rows)).toHaveLength(1);
  });
});

describe('bearer sessions', () => {
  it('never rotate: the same refresh token validates again and again, and no row is added', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'bearer', { ip: null, userAgent: null });

    for (let i = 0; i < 3; i++) {
      expect(await validateRefreshToken(refreshToken.value, CONTEXT)).toMatchObject({
        ok: true,
        userId: user.id,
      });
    }
    const rows = await sessionRows(sessionId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.revokedAt).toBeNull();
  });

  it('cannot be rotated through the browser path, which leaves them untouched', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'bearer', { ip: null, userAgent: null });

    expect(await rotateRefreshToken(refreshToken.value, CONTEXT)).toEqual({ ok: false, reason: 'unknown' });
    expect(await sessionRows(sessionId)).toMatchObject([{ revokedAt: null, replacedBy: null }]);
    expect(await validateRefreshToken(refreshToken.value, CONTEXT)).toMatchObject({ ok: true });
  });

  it('the bearer validate path refuses browser refresh tokens, live or retired', async () => {
    const { refreshToken } = await createSession(user.id, 'browser', CONTEXT);
    expect(await validateRefreshToken(refreshToken.value, CONTEXT)).toEqual({ ok: false, reason: 'unknown' });

    await rotate(refreshToken.value);
    expect(await validateRefreshToken(refreshToken.value, CONTEXT)).toEqual({ ok: false, reason: 'unknown' });
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

describe('findSessionUser', () => {
  it('names the user of a live session, and nobody for another user id or an unknown session', async () => {
    const { sessionId } = await createSession(user.id, 'browser', CONTEXT);
    const stranger = await signUp();

    expect(await findSessionUser(sessionId, user.id)).toMatchObject({ id: user.id, email: user.email });
    expect(await findSessionUser(sessionId, stranger.id)).toBeNull();
    expect(await findSessionUser('00000000-0000-4000-8000-000000000000', user.id)).toBeNull();
  });

  it('holds a bearer session to no idle rule (its refresh token has none), and `client` narrows the kind', async () => {
    const api = await createSession(user.id, 'bearer', CONTEXT);
    await setSessionTime(api.sessionId, 'lastUsedAt', 30 * DAY_SECONDS);

    expect(await findSessionUser(api.sessionId, user.id)).toMatchObject({ id: user.id });
    expect(await findSessionUser(api.sessionId, user.id, 'bearer')).toMatchObject({ id: user.id });
    expect(await findSessionUser(api.sessionId, user.id, 'browser')).toBeNull();
  });

  it('follows the session through rotation', async () => {
    const { sessionId, refreshToken } = await createSession(user.id, 'browser', CONTEXT);
    await rotate(await rotate(refreshToken.value));
    expect(await findSessionUser(sessionId, user.id)).toMatchObject({ id: user.id });
  });
});
