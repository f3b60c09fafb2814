import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { POST as refresh } from '@/app/api/refresh/route';
import { browserSession, signUp } from '@/test/fixtures';
import { jsonOf, makeRequest, setCookies } from '@/test/http';
import {
  cookieSet,
  isCleared,
  liveRows,
  SAME_ORIGIN,
  sessionIdOf,
  sessionRows,
  tokenRow,
} from '@/test/session-helpers';
import { hashRefreshToken } from './auth/tokens';
import { issueChallenge } from './auth/webauthn-challenges';
import { getDb } from './db/client';
import {
  authEvents,
  emailTokens,
  passwordResetTokens,
  rateLimits,
  refreshTokens,
  signInChallenges,
  webauthnChallenges,
} from './db/schema';
import { cleanUpExpiredData } from './housekeeping';

const DAY_MS = 24 * 60 * 60 * 1000;
const now = Date.now();
const daysAgo = (days: number) => new Date(now - days * DAY_MS);

type TokenShape = {
  client?: 'bearer' | 'browser';
  expiresAt?: Date;
  revokedAt?: Date | null;
  lastUsedAt?: Date;
};

async function insertTokens(userId: string, count: number, shape: TokenShape): Promise<string[]> {
  const db = await getDb();
  const rows = Array.from({ length: count }, () => ({
    tokenHash: randomUUID().replaceAll('-', '').repeat(2),
    userId,
    sessionId: randomUUID(),
    client: shape.client ?? 'browser',
    expiresAt: shape.expiresAt ?? new Date(now + 30 * DAY_MS),
    revokedAt: shape.revokedAt ?? null,
    revokedReason: shape.revokedAt ? ('rotated' as const) : null,
    lastUsedAt: shape.lastUsedAt ?? new Date(now),
  }));
  await db.insert(refreshTokens).values(rows);
  return rows.map((row) => row.tokenHash);
}

async function remainingTokenHashes(): Promise<string[]> {
  const db = await getDb();
  return (await db.select({ tokenHash: refreshTokens.tokenHash }).from(refreshTokens)).map((row) => row.tokenHash);
}

describe('cleanUpExpiredData', () => {
  it('deletes tokens expired, revoked or idle past the retention, and keeps everything a rule still needs', async () => {
    const user = await signUp();
    const expired = await insertTokens(user.id, 1, { expiresAt: daysAgo(31) });
    const revokedLongAgo = await insertTokens(user.id, 1, { revokedAt: daysAgo(31) });
    const idleBrowser = await insertTokens(user.id, 1, { lastUsedAt: daysAgo(7 + 31) });
    const kept = [
      ...(await insertTokens(user.id, 1, { expiresAt: daysAgo(29) })),
      ...(await insertTokens(user.id, 1, { revokedAt: daysAgo(29) })),
      ...(await insertTokens(user.id, 1, {})),
      // Bearer sessions have no idle rule: an old last use is no reason to delete.
      ...(await insertTokens(user.id, 1, { client: 'bearer', lastUsedAt: daysAgo(50) })),
    ];

    const report = await cleanUpExpiredData(now);

    expect(report).toMatchObject({ refresh_tokens: 3, rate_limits: 0, auth_events: 0 });
    const remaining = await remainingTokenHashes();
    expect(remaining.sort()).toEqual(kept.sort());
    for (const gone of [...expired, ...revokedLongAgo, ...idleBrowser]) expect(remaining).not.toContain(gone);
  });

  it('deletes old rate-limit counters and audit events, keeping recent ones', async () => {
    const user = await signUp();
    const db = await getDb();
    await db.insert(rateLimits).values([
      { key: 'login:ip:old', windowStartedAt: new Date(now - 25 * 60 * 60 * 1000), hits: 3 },
      { key: 'login:ip:new', windowStartedAt: new Date(now - 60 * 1000), hits: 1 },
    ]);
    await db.insert(authEvents).values([
      { type: 'signed_in', userId: user.id, createdAt: daysAgo(91) },
      { type: 'signed_in', userId: user.id, createdAt: daysAgo(89) },
    ]);

    const report = await cleanUpExpiredData(now);

    expect(report).toMatchObject({ rate_limits: 1, auth_events: 1 });
    const keys = (await db.select().from(rateLimits)).map((row) => row.key);
    expect(keys).toContain('login:ip:new');
    expect(keys).not.toContain('login:ip:old');
    const events = await db.select().from(authEvents);
    // The sign-up's own event and the 89-day-old one stay.
    expect(events.map((event) => event.createdAt.getTime() < daysAgo(90).getTime())).not.toContain(true);
    expect(events).toHaveLength(2);
  });

  it('works in batches of CLEANUP_BATCH_SIZE rows until nothing stale is left', async () => {
    vi.stubEnv('CLEANUP_BATCH_SIZE', '10');
    const user = await signUp();
    await insertTokens(user.id, 25, { expiresAt: daysAgo(40) });
    const kept = await insertTokens(user.id, 3, {});

    const report = await cleanUpExpiredData(now);

    // 10 + 10 + 5 tokens, then one (empty) batch each for reset tokens, address links, pending
    // sign-in steps, passkey challenges, counters and events.
    expect(report).toMatchObject({ refresh_tokens: 25, batches: 9 });
    expect((await remainingTokenHashes()).sort()).toEqual(kept.sort());
    expect(await cleanUpExpiredData(now)).toMatchObject({ refresh_tokens: 0, batches: 7 });
  });

  it('deletes password-reset tokens used or expired longer ago than the refresh-token retention', async () => {
    const [a, b, c, d, e] = await Promise.all([signUp(), signUp(), signUp(), signUp(), signUp()]);
    const db = await getDb();
    const row = (user: { id: string }, tokenHash: string, times: { expiresAt: Date; usedAt?: Date }) => ({
      userId: user.id,
      tokenHash,
      createdAt: new Date(times.expiresAt.getTime() - 30 * 60 * 1000),
      ...times,
    });
    await db
      .insert(passwordResetTokens)
      .values([
        row(a, 'expired-31-days-ago', { expiresAt: daysAgo(31) }),
        row(b, 'used-31-days-ago', { expiresAt: daysAgo(10), usedAt: daysAgo(31) }),
        row(c, 'expired-29-days-ago', { expiresAt: daysAgo(29) }),
        row(d, 'used-29-days-ago', { expiresAt: daysAgo(29), usedAt: daysAgo(29) }),
        row(e, 'live', { expiresAt: new Date(now + 60_000) }),
      ]);

    expect(await cleanUpExpiredData(now)).toMatchObject({ password_reset_tokens: 2 });

    const remaining = (await db.select().from(passwordResetTokens)).map((token) => token.tokenHash);
    expect(remaining.sort()).toEqual(['expired-29-days-ago', 'live', 'used-29-days-ago']);
  });

  it('deletes confirmation and "this wasn\'t me" links used or expired longer ago than the refresh-token retention', async () => {
    const user = await signUp();
    const db = await getDb();
    const link = (tokenHash: string, purpose: 'verify' | 'revert', expiresAt: Date, usedAt: Date | null = null) => ({
      tokenHash,
      userId: user.id,
      purpose,
      email: user.email,
      createdAt: new Date(expiresAt.getTime() - DAY_MS),
      expiresAt,
      usedAt,
    });
    await db
      .insert(emailTokens)
      .values([
        link('confirmation-expired-31-days-ago', 'verify', daysAgo(31)),
        link('revert-used-31-days-ago', 'revert', daysAgo(25), daysAgo(31)),
        link('confirmation-expired-29-days-ago', 'verify', daysAgo(29)),
        link('revert-used-29-days-ago', 'revert', daysAgo(25), daysAgo(29)),
        link('live-revert', 'revert', new Date(now + DAY_MS)),
      ]);

    expect(await cleanUpExpiredData(now)).toMatchObject({ email_tokens: 2, password_reset_tokens: 0 });

    const remaining = (await db.select().from(emailTokens)).map((token) => token.tokenHash);
    expect(remaining.sort()).toEqual(['confirmation-expired-29-days-ago', 'live-revert', 'revert-used-29-days-ago']);
  });

  it('deletes pending sign-in steps once expired, and keeps live ones', async () => {
    const user = await signUp();
    const db = await getDb();
    const step = (challengeHash: string, expiresAt: Date) => ({
      challengeHash,
      userId: user.id,
      client: 'browser' as const,
      credentialVersion: 0,
      expiresAt,
    });
    await db
      .insert(signInChallenges)
      .values([step('expired', new Date(now - 1000)), step('live', new Date(now + 60_000))]);

    expect(await cleanUpExpiredData(now)).toMatchObject({ sign_in_challenges: 1 });

    expect((await db.select().from(signInChallenges)).map((row) => row.challengeHash)).toEqual(['live']);
  });

  it('deletes passkey challenges that expired unanswered, and keeps live ones', async () => {
    const expired = await issueChallenge('sign_in', null, false, now - 6 * 60 * 1000);
    const live = await issueChallenge('sign_in', null, false, now - 4 * 60 * 1000);

    expect(await cleanUpExpiredData(now)).toMatchObject({ webauthn_challenges: 1 });

    const db = await getDb();
    const remaining = (await db.select().from(webauthnChallenges)).map((row) => row.challenge);
    expect(remaining).toEqual([live.challenge]);
    expect(remaining).not.toContain(expired.challenge);
  });

  it('honours the retention settings', async () => {
    vi.stubEnv('REFRESH_TOKEN_RETENTION_DAYS', '5');
    const user = await signUp();
    await insertTokens(user.id, 1, { revokedAt: daysAgo(6) });
    expect(await cleanUpExpiredData(now)).toMatchObject({ refresh_tokens: 1 });
  });
});

describe('cleanup and reuse detection', () => {
  const refreshWith = (token: string) =>
    refresh(makeRequest('POST', '/api/refresh', { cookies: { chirpy_refresh: token }, headers: SAME_ORIGIN }));

  /** A rotation through the route, as a browser does it; returns the new refresh cookie. */
  async function rotate(token: string): Promise<string> {
    const response = await refreshWith(token);
    expect(response.status).toBe(204);
    return cookieSet(response, 'chirpy_refresh').value;
  }

  it('keeps a retired browser token past the idle timeout and within the retention: presented after cleanup, it is reuse', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const session = await browserSession();
    const sessionId = sessionIdOf(session);
    const current = await rotate(await rotate(session.refresh));
    // The first token was last used (and retired) 8 days ago: past the 7-day idle timeout, well
    // within the 30 days its reuse is still recognised. Its session lives on in `current`.
    const db = await getDb();
    await db
      .update(refreshTokens)
      .set({ lastUsedAt: daysAgo(8), revokedAt: daysAgo(8), createdAt: daysAgo(8) })
      .where(eq(refreshTokens.tokenHash, hashRefreshToken(session.refresh)));

    await cleanUpExpiredData();

    // A copy of the first token, presented now: the whole session ends, for the thief and the owner.
    const replayed = await refreshWith(session.refresh);
    expect(await jsonOf(replayed)).toEqual({ status: 401, body: { error: expect.any(String) } });
    expect(isCleared(setCookies(replayed).get('chirpy_refresh'))).toBe(true);
    expect(isCleared(setCookies(replayed).get('chirpy_access'))).toBe(true);
    expect(liveRows(await sessionRows(sessionId))).toEqual([]);
    expect(await tokenRow(current)).toMatchObject({ revokedReason: 'reuse_detected' });
    const reuse = await db.select().from(authEvents).where(eq(authEvents.type, 'reuse_detected'));
    expect(reuse).toEqual([expect.objectContaining({ userId: session.id, sessionId })]);
  });
});
