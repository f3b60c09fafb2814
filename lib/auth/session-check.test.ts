import { describe, expect, it } from 'vitest';
import { newUserForEachTest, signUp } from '@/test/fixtures';
import { SESSION_CONTEXT as CONTEXT, DAY_SECONDS, rotate, setSessionTime } from '@/test/session-helpers';
import { findSessionUser } from './session-check';
import { createSession } from './sessions';

const user = newUserForEachTest();

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
