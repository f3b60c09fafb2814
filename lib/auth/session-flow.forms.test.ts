import { describe, expect, it } from 'vitest';
import { apiSession, browserSession, PASSWORD, rowCounts, signUp, uniqueEmail } from '@/test/fixtures';
import { accessTokenClaims, liveRows, sessionRows, tokenRow } from '@/test/session-helpers';
import { findSessionUser } from './session-check';
import { signIn, signOut, signUp as signUpAndIn } from './session-flow';
import { rotateRefreshToken } from './session-rotation';
import { verifyAccessToken } from './tokens';

const CONTEXT = { ip: '198.51.100.4', userAgent: 'Mozilla/5.0 (session-flow test)' };

/**
 * The flows the sign-in, sign-up and sign-out forms' server actions call; the actions only add
 * the cookies (tested in cookies.test.ts) and the redirect (end-to-end).
 */

describe('signIn for a browser', () => {
  it('starts a browser session: an access token naming it, a refresh token stored as a hash with where it came from', async () => {
    const user = await signUp();

    const session = await signIn({ email: user.email, password: user.password }, 'browser', CONTEXT);

    if (!session.ok) throw new Error('expected the sign-in to succeed');
    expect(session.user.id).toBe(user.id);
    expect(await verifyAccessToken(session.tokens.access.value, 'browser')).toEqual({
      ok: true,
      userId: user.id,
      sessionId: session.sessionId,
    });
    expect(accessTokenClaims(session.tokens.access.value).sid).toBe(session.sessionId);
    expect(await tokenRow(session.tokens.refresh.value)).toMatchObject({
      userId: user.id,
      client: 'browser',
      sessionId: session.sessionId,
      revokedAt: null,
      userAgent: CONTEXT.userAgent,
      ip: CONTEXT.ip,
    });
  });

  it('refuses a wrong password and an unknown email alike, starting no session', async () => {
    const user = await signUp();

    const wrong = await signIn({ email: user.email, password: 'wrong password' }, 'browser', CONTEXT);
    const unknown = await signIn({ email: 'nobody@example.com', password: PASSWORD }, 'browser', CONTEXT);

    expect(wrong).toMatchObject({ ok: false });
    expect(unknown).toEqual(wrong);
    expect((await rowCounts()).refreshTokens).toBe(0);
  });
});

describe('signUp', () => {
  it('creates the account and signs it in with a browser session', async () => {
    const email = uniqueEmail();

    const created = await signUpAndIn({ email, password: PASSWORD }, 'browser', CONTEXT);

    if (!created.ok) throw new Error('expected the sign-up to succeed');
    expect(created.user.email).toBe(email);
    expect(await tokenRow(created.tokens.refresh.value)).toMatchObject({
      userId: created.user.id,
      client: 'browser',
      sessionId: created.sessionId,
      userAgent: CONTEXT.userAgent,
    });
    expect(await findSessionUser(created.sessionId, created.user.id)).toMatchObject({ id: created.user.id, email });
  });

  it('refuses a taken email (in any case): no second account, no session', async () => {
    const existing = await signUp();

    const again = await signUpAndIn({ email: existing.email, password: 'another password' }, 'browser', CONTEXT);

    expect(again).toEqual({ ok: false, reason: 'email_taken' });
    expect(await rowCounts()).toMatchObject({ users: 1, refreshTokens: 0 });
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
