import { describe, expect, it } from 'vitest';
import { newUserForEachTest } from '@/test/fixtures';
import { SESSION_CONTEXT as CONTEXT, rotate, sessionRows } from '@/test/session-helpers';
import { validateRefreshToken } from './bearer-refresh';
import { rotateRefreshToken } from './session-rotation';
import { createSession } from './sessions';

const user = newUserForEachTest();

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
