import { afterEach, describe, expect, it, vi } from 'vitest';
import { isDatabaseUnavailable } from '@/lib/db/errors';
import { withFailingRevocations } from '@/test/database-faults';
import { apiSession, type BrowserSession, browserSession, withDatabaseDown } from '@/test/fixtures';
import {
  countDatabaseUse,
  expiredAccessToken,
  liveRows,
  SESSION_CONTEXT,
  sessionIdOf,
  sessionRows,
  setSessionTime,
  tokenRow,
} from '@/test/session-helpers';
import { type ResolveOptions, resolveBrowserSession } from './session-resolver';
import { hashRefreshToken, verifyAccessToken } from './tokens';

/**
 * The five things a browser's session cookies can come to. The callers' answers to each (the
 * proxy's pages, the handlers' JSON, /api/refresh) are tested beside them; here, the outcomes.
 */

const PROXY: ResolveOptions = { confirm: false, renew: true, context: SESSION_CONTEXT };
const SERVER_COMPONENT: ResolveOptions = { confirm: true, renew: false };

afterEach(() => {
  vi.unstubAllEnvs();
});

function resolve(cookies: { access?: string; refresh?: string }, options: ResolveOptions) {
  return resolveBrowserSession({ access: cookies.access, refresh: cookies.refresh }, options);
}

/** The session's tokens that are still unrevoked, by hash. */
async function liveTokens(session: BrowserSession): Promise<string[]> {
  return liveRows(await sessionRows(sessionIdOf(session))).map((row) => row.tokenHash);
}

describe('valid', () => {
  it('optimistic: a valid access cookie costs no database work and names its user and session', async () => {
    const session = await browserSession();

    const { result, uses } = await countDatabaseUse(() => resolve(session, PROXY));

    expect(result).toEqual({ outcome: 'valid', userId: session.id, sessionId: sessionIdOf(session), user: null });
    expect(uses).toBe(0);
    expect(await liveTokens(session)).toEqual([hashRefreshToken(session.refresh)]);
  });

  it('confirmed: the session is checked in the database and the user comes with it', async () => {
    const session = await browserSession();

    const { result, uses } = await countDatabaseUse(() => resolve(session, SERVER_COMPONENT));

    expect(result).toMatchObject({
      outcome: 'valid',
      userId: session.id,
      sessionId: sessionIdOf(session),
      user: { id: session.id, email: session.email },
    });
    expect(uses).toBeGreaterThan(0);
  });
});

describe('renewed', () => {
  it('from the refresh cookie alone: new cookies for the same session, the old token retired', async () => {
    const session = await browserSession();

    const result = await resolve({ refresh: session.refresh }, PROXY);

    if (result.outcome !== 'renewed') throw new Error(`expected a renewal: ${JSON.stringify(result)}`);
    expect(result.user).toMatchObject({ id: session.id, email: session.email });
    expect(result.sessionId).toBe(sessionIdOf(session));
    expect(await verifyAccessToken(result.cookies.access.value, 'browser')).toEqual({
      ok: true,
      userId: session.id,
      sessionId: sessionIdOf(session),
    });
    const successor = result.cookies.refresh?.value;
    if (successor === undefined) throw new Error('the renewal issued no refresh token');
    expect(await tokenRow(session.refresh)).toMatchObject({
      revokedReason: 'rotated',
      replacedBy: hashRefreshToken(successor),
    });
    expect(await liveTokens(session)).toEqual([hashRefreshToken(successor)]);
  });

  it('from an expired access cookie, even with confirmation asked for', async () => {
    const session = await browserSession();
    const expired = await expiredAccessToken(session.id, sessionIdOf(session));

    const result = await resolve({ access: expired, refresh: session.refresh }, { ...PROXY, confirm: true });

    expect(result).toMatchObject({ outcome: 'renewed', sessionId: sessionIdOf(session) });
  });
});

describe('ended', () => {
  it('a session that is over: renewal refused', async () => {
    const session = await browserSession();
    await setSessionTime(sessionIdOf(session), 'expiresAt', 1);

    expect(await resolve({ refresh: session.refresh }, PROXY)).toEqual({ outcome: 'ended', reason: 'over' });
  });

  it('a refresh cookie we never issued, or a bearer session’s refresh token', async () => {
    const api = await apiSession();

    expect(await resolve({ refresh: 'f'.repeat(64) }, PROXY)).toEqual({ outcome: 'ended', reason: 'over' });
    expect(await resolve({ refresh: api.refreshToken }, PROXY)).toEqual({ outcome: 'ended', reason: 'over' });
    expect((await tokenRow(api.refreshToken)).revokedAt).toBeNull();
  });

  it('a confirmed access cookie whose session has ended: the refresh cookie does not revive it', async () => {
    const session = await browserSession();
    await setSessionTime(sessionIdOf(session), 'revokedAt', 1);

    expect(await resolve(session, { ...PROXY, confirm: true })).toEqual({ outcome: 'ended', reason: 'over' });
    expect(await sessionRows(sessionIdOf(session))).toHaveLength(1);
  });

  it('an API access token put in the access cookie: confirmed, it names no browser session', async () => {
    const api = await apiSession();

    expect(await resolve({ access: api.token }, SERVER_COMPONENT)).toEqual({ outcome: 'ended', reason: 'over' });
  });

  it('an access cookie with nothing to renew it from: its own verdict', async () => {
    const session = await browserSession();
    const expired = await expiredAccessToken(session.id, sessionIdOf(session));

    expect(await resolve({ access: expired }, PROXY)).toEqual({ outcome: 'ended', reason: 'expired' });
    expect(await resolve({ access: 'not-a-token' }, PROXY)).toEqual({ outcome: 'ended', reason: 'invalid' });
    expect(await resolve({}, PROXY)).toEqual({ outcome: 'ended', reason: 'missing' });
  });

  it('where renewing is off, the refresh cookie is not used: nothing rotates', async () => {
    const session = await browserSession();
    const expired = await expiredAccessToken(session.id, sessionIdOf(session));

    expect(await resolve({ access: expired, refresh: session.refresh }, SERVER_COMPONENT)).toEqual({
      outcome: 'ended',
      reason: 'expired',
    });
    expect(await resolve({ refresh: session.refresh }, SERVER_COMPONENT)).toEqual({
      outcome: 'ended',
      reason: 'missing',
    });
    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();
  });
});

describe('rate_limited', () => {
  it('over the rotation limit: nothing rotates and the cookies the browser holds stay good', async () => {
    vi.stubEnv('RATE_LIMIT_ROTATION_MAX', '1');
    const session = await browserSession();
    const first = await resolve({ refresh: session.refresh }, PROXY);
    if (first.outcome !== 'renewed' || !first.cookies.refresh) throw new Error('the first renewal failed');
    const successor = first.cookies.refresh.value;

    const limited = await resolve({ refresh: successor }, PROXY);

    expect(limited).toEqual({ outcome: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    if (limited.outcome === 'rate_limited') expect(limited.retryAfterSeconds).toBeGreaterThan(0);
    expect((await tokenRow(successor)).revokedAt).toBeNull();
    expect(await liveTokens(session)).toEqual([hashRefreshToken(successor)]);
  });
});

describe('unavailable', () => {
  it('the database is down: an outcome, not an end, and the token is left as it was', async () => {
    const session = await browserSession();

    await withDatabaseDown(async () => {
      const renewing = await resolve({ refresh: session.refresh }, PROXY);
      expect(renewing.outcome).toBe('unavailable');
      if (renewing.outcome === 'unavailable') expect(isDatabaseUnavailable(renewing.error)).toBe(true);
      expect((await resolve(session, SERVER_COMPONENT)).outcome).toBe('unavailable');
      // The optimistic check of a valid access cookie never asks the database.
      expect((await resolve(session, PROXY)).outcome).toBe('valid');
    });

    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();
    expect((await resolve({ refresh: session.refresh }, PROXY)).outcome).toBe('renewed');
  });

  it('any other fault is no outage: it stays thrown, for the caller’s boundary to answer 500', async () => {
    const session = await browserSession();

    await withFailingRevocations(async () => {
      await expect(resolve({ refresh: session.refresh }, PROXY)).rejects.toThrow();
    });

    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();
  });
});
