import bcrypt from 'bcrypt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PASSWORD, signUp, type TestUser } from '@/test/fixtures';
import { sessionRows, tokenRow } from '@/test/session-helpers';
import { getDb } from '../db/client';
import { authEvents, rateLimits } from '../db/schema';
import type { RequestContext } from '../http/request-context';
import { refreshAccessToken, renewBrowserSession, signIn } from './session-flow';
import { createSession } from './sessions';
import { hashRefreshToken, verifyAccessToken } from './tokens';

const ATTACKER: RequestContext = { ip: '203.0.113.66', userAgent: 'guesser/1.0' };
const OWNER: RequestContext = { ip: '198.51.100.10', userAgent: 'Mozilla/5.0 (owner)' };

let user: TestUser;

beforeEach(async () => {
  user = await signUp();
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function limit(rule: 'LOGIN_IP' | 'LOGIN_ACCOUNT' | 'REFRESH' | 'ROTATION', max: number, windowSeconds = 900) {
  vi.stubEnv(`RATE_LIMIT_${rule}_MAX`, String(max));
  vi.stubEnv(`RATE_LIMIT_${rule}_WINDOW_SECONDS`, String(windowSeconds));
}

async function events() {
  const db = await getDb();
  return db.select().from(authEvents).orderBy(authEvents.id);
}

/** The rate-limit keys of one rule (the fixtures' sign-ups count under signup_ip). */
async function rateLimitKeys(rule: string): Promise<string[]> {
  const db = await getDb();
  const keys = (await db.select({ key: rateLimits.key }).from(rateLimits)).map((row) => row.key);
  return keys.filter((key) => key.startsWith(`${rule}:`));
}

/** Lets every rate-limit window of this test end, as if its whole length had gone by. */
async function endWindows(): Promise<void> {
  const db = await getDb();
  await db.update(rateLimits).set({ windowStartedAt: new Date(Date.now() - 24 * 60 * 60 * 1000) });
}

describe('signIn', () => {
  it('starts a session and records signed_in with its id, address and user agent', async () => {
    const session = await signIn({ email: user.email, password: PASSWORD }, 'bearer', OWNER);

    if (!session.ok) throw new Error('expected a session');
    expect(await verifyAccessToken(session.tokens.access.value, 'bearer')).toEqual({
      ok: true,
      userId: user.id,
      sessionId: session.sessionId,
    });
    expect(await events()).toContainEqual(
      expect.objectContaining({
        type: 'signed_in',
        userId: user.id,
        sessionId: session.sessionId,
        ip: OWNER.ip,
        userAgent: OWNER.userAgent,
      }),
    );
  });

  it('records a failed sign-in against the account when it exists, against nobody when it does not, never the password', async () => {
    expect(await signIn({ email: user.email, password: 'wrong guess 1' }, 'bearer', ATTACKER)).toEqual({
      ok: false,
      reason: 'credentials',
    });
    expect(await signIn({ email: 'nobody@example.com', password: 'wrong guess 2' }, 'bearer', ATTACKER)).toEqual({
      ok: false,
      reason: 'credentials',
    });

    const failures = (await events()).filter((event) => event.type === 'sign_in_failed');
    expect(failures).toEqual([
      expect.objectContaining({ userId: user.id, sessionId: null, ip: ATTACKER.ip, userAgent: ATTACKER.userAgent }),
      expect.objectContaining({ userId: null, sessionId: null, ip: ATTACKER.ip }),
    ]);
    expect(JSON.stringify(await events())).not.toMatch(/wrong guess/);
  });

  it('per account and address: once the limit is spent even the right password is refused, before any bcrypt work', async () => {
    limit('LOGIN_ACCOUNT', 3);
    for (let i = 0; i < 3; i++) await signIn({ email: user.email, password: `guess ${i}` }, 'bearer', ATTACKER);
    const compare = vi.spyOn(bcrypt, 'compare');

    const refused = await signIn({ email: user.email, password: PASSWORD }, 'bearer', ATTACKER);

    expect(refused).toEqual({ ok: false, reason: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    expect(compare).not.toHaveBeenCalled();
    expect((await sessionRows(user.id)).length).toBe(0);
  });

  it('the guesser cannot lock the owner out: the owner signs in from their own address meanwhile', async () => {
    limit('LOGIN_ACCOUNT', 3);
    for (let i = 0; i < 5; i++) await signIn({ email: user.email, password: `guess ${i}` }, 'bearer', ATTACKER);

    expect(await signIn({ email: user.email, password: PASSWORD }, 'browser', OWNER)).toMatchObject({ ok: true });
  });

  it('per address: an attacker spraying many accounts is stopped before any one account reaches its own limit', async () => {
    limit('LOGIN_IP', 5);
    limit('LOGIN_ACCOUNT', 3);
    const victims = [user, ...(await Promise.all(Array.from({ length: 5 }, () => signUp())))];

    const results = [];
    for (const victim of victims) {
      results.push(await signIn({ email: victim.email, password: 'password1' }, 'bearer', ATTACKER));
    }

    expect(results.slice(0, 5).every((result) => !result.ok && result.reason === 'credentials')).toBe(true);
    expect(results[5]).toEqual({ ok: false, reason: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    // Each victim was tried once, far below the account limit of 3, and can still sign in from home.
    expect(await signIn({ email: user.email, password: PASSWORD }, 'bearer', OWNER)).toMatchObject({ ok: true });
  });

  it('records the first refusal against the account (rule login_account), and lets the owner in again once the window passed', async () => {
    limit('LOGIN_ACCOUNT', 2);
    for (let i = 0; i < 4; i++) await signIn({ email: user.email, password: `guess ${i}` }, 'bearer', OWNER);

    const limited = (await events()).filter((event) => event.type === 'rate_limited');
    expect(limited).toEqual([
      expect.objectContaining({ userId: user.id, detail: 'login_account', ip: OWNER.ip, userAgent: OWNER.userAgent }),
    ]);
    // The key names neither the email nor the address in the clear.
    const keys = await rateLimitKeys('login_account');
    expect(keys).toHaveLength(1);
    for (const key of keys) expect(key).not.toContain(user.email);

    await endWindows();
    expect(await signIn({ email: user.email, password: PASSWORD }, 'bearer', OWNER)).toMatchObject({ ok: true });
  });

  it('records an address-limit refusal against nobody, named login_ip', async () => {
    limit('LOGIN_IP', 1);
    await signIn({ email: user.email, password: 'guess' }, 'bearer', ATTACKER);
    await signIn({ email: user.email, password: 'guess' }, 'bearer', ATTACKER);

    expect((await events()).filter((event) => event.type === 'rate_limited')).toEqual([
      expect.objectContaining({ userId: null, detail: 'login_ip', ip: ATTACKER.ip }),
    ]);
  });
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
