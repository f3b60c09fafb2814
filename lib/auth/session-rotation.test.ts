import { describe, expect, it, vi } from 'vitest';
import { newUserForEachTest } from '@/test/fixtures';
import {
  SESSION_CONTEXT as CONTEXT,
  DAY_SECONDS,
  eventsOf,
  expectSecondsAbout,
  liveRows,
  retireSecondsAgo,
  rotate,
  secondsFromNow,
  sessionRows,
  setSessionTime,
  tokenRow,
  warmConnections,
} from '@/test/session-helpers';
import { validateRefreshToken } from './bearer-refresh';
import { findSessionUser } from './session-check';
import { rotateRefreshToken } from './session-rotation';
import { createSession, revokeSession } from './sessions';
import { hashRefreshToken } from './tokens';

const user = newUserForEachTest();

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
