import 'server-only';
import { randomUUID } from 'node:crypto';
import { and, eq, gt, isNull, ne } from 'drizzle-orm';
import { getSettings, REFRESH_TOKEN_TTL_DAYS } from '../config';
import { type Database, getDb } from '../db/client';
import { type RefreshToken, refreshTokens, type User, users } from '../db/schema';
import type { RequestContext } from '../http/forwarded';
import { createRefreshTokenValue, hashRefreshToken, type IssuedToken, isRefreshTokenFormat } from './tokens';

/**
 * Sessions are chains of refresh tokens sharing a session id.
 *
 * - `bearer` sessions (the JSON API contract) hold one refresh token that never rotates.
 * - `browser` sessions rotate: each use retires the token (revoked, pointing at its successor)
 *   and issues the next one. The session ends at an absolute time fixed at sign-in, or after an
 *   idle period without a rotation, whichever comes first.
 */

export type SessionClient = RefreshToken['client'];

const DAY_MS = 24 * 60 * 60 * 1000;

export type NewSession = { sessionId: string; refreshToken: IssuedToken };

function idleCutoff(now: Date): Date {
  return new Date(now.getTime() - getSettings().SESSION_IDLE_TIMEOUT_DAYS * DAY_MS);
}

/** When the browser should drop the refresh cookie: the sooner of the absolute and idle ends. */
function browserCookieExpiry(absoluteEnd: Date, now: Date): Date {
  const idleEnd = new Date(now.getTime() + getSettings().SESSION_IDLE_TIMEOUT_DAYS * DAY_MS);
  return absoluteEnd < idleEnd ? absoluteEnd : idleEnd;
}

export async function createSession(
  userId: string,
  client: SessionClient,
  context: RequestContext,
): Promise<NewSession> {
  const db = await getDb();
  const now = new Date();
  const value = createRefreshTokenValue();
  const sessionId = randomUUID();
  const expiresAt = new Date(now.getTime() + REFRESH_TOKEN_TTL_DAYS * DAY_MS);
  await db.insert(refreshTokens).values({
    tokenHash: hashRefreshToken(value),
    userId,
    sessionId,
    client,
    sessionStartedAt: now,
    expiresAt,
    lastUsedAt: now,
    createdAt: now,
    updatedAt: now,
    userAgent: context.userAgent,
    ip: context.ip,
  });
  const cookieExpiry = client === 'browser' ? browserCookieExpiry(expiresAt, now) : expiresAt;
  return { sessionId, refreshToken: { value, expiresAt: cookieExpiry } };
}

export type RefreshFailure = 'unknown' | 'expired' | 'revoked' | 'reused';

/**
 * The design note's `GetUserFromRefreshToken`: a bearer refresh token, unrevoked and unexpired,
 * names its user. Nothing rotates on this path.
 */
export async function validateRefreshToken(
  token: string,
): Promise<{ ok: true; user: User } | { ok: false; reason: RefreshFailure }> {
  if (!isRefreshTokenFormat(token)) return { ok: false, reason: 'unknown' };
  const db = await getDb();
  const now = new Date();
  const [row] = await db
    .update(refreshTokens)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(refreshTokens.tokenHash, hashRefreshToken(token)),
        eq(refreshTokens.client, 'bearer'),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, now),
      ),
    )
    .returning({ userId: refreshTokens.userId });
  if (!row) return { ok: false, reason: 'unknown' };
  const [user] = await db.select().from(users).where(eq(users.id, row.userId));
  return user ? { ok: true, user } : { ok: false, reason: 'unknown' };
}

export type Rotation =
  | { ok: true; userId: string; sessionId: string; refreshToken: IssuedToken | null }
  | { ok: false; reason: RefreshFailure };

/**
 * Exchanges a browser refresh token for its successor.
 *
 * The conditional UPDATE is the lock: of two requests presenting the same token, exactly one
 * retires it and gets the successor. The other (and any presenting it within the grace window)
 * succeeds without a new refresh token (`refreshToken: null`): the successor's plaintext exists
 * only in the winner's response, so the browser keeps that one and the session never forks.
 * After the window, presenting a retired token means a copy is in someone else's hands: the
 * whole session is revoked.
 */
export async function rotateRefreshToken(token: string, context: RequestContext): Promise<Rotation> {
  if (!isRefreshTokenFormat(token)) return { ok: false, reason: 'unknown' };
  const db = await getDb();
  const tokenHash = hashRefreshToken(token);
  return db.transaction(async (tx) => {
    const now = new Date();
    const successor = createRefreshTokenValue();
    const [retired] = await tx
      .update(refreshTokens)
      .set({
        revokedAt: now,
        revokedReason: 'rotated',
        replacedBy: hashRefreshToken(successor),
        lastUsedAt: now,
        updatedAt: now,
      })
      .where(
        and(
          eq(refreshTokens.tokenHash, tokenHash),
          eq(refreshTokens.client, 'browser'),
          isNull(refreshTokens.revokedAt),
          gt(refreshTokens.expiresAt, now),
          gt(refreshTokens.lastUsedAt, idleCutoff(now)),
        ),
      )
      .returning();
    if (!retired) return explainRejectedRotation(tx, tokenHash, now);
    await tx.insert(refreshTokens).values({
      tokenHash: hashRefreshToken(successor),
      userId: retired.userId,
      sessionId: retired.sessionId,
      client: 'browser',
      sessionStartedAt: retired.sessionStartedAt,
      expiresAt: retired.expiresAt,
      lastUsedAt: now,
      createdAt: now,
      updatedAt: now,
      userAgent: context.userAgent,
      ip: context.ip,
    });
    const refreshToken = { value: successor, expiresAt: browserCookieExpiry(retired.expiresAt, now) };
    return { ok: true, userId: retired.userId, sessionId: retired.sessionId, refreshToken };
  });
}

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

async function explainRejectedRotation(tx: Transaction, tokenHash: string, now: Date): Promise<Rotation> {
  const [row] = await tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).for('update');
  if (row?.client !== 'browser') return { ok: false, reason: 'unknown' };
  if (row.revokedAt === null) return { ok: false, reason: 'expired' };
  if (row.revokedReason !== 'rotated') return { ok: false, reason: 'revoked' };
  const graceEnds = row.revokedAt.getTime() + getSettings().REFRESH_REUSE_GRACE_SECONDS * 1000;
  if (now.getTime() > graceEnds) {
    await revokeSessionTokens(tx, row.sessionId, 'reuse_detected', now);
    // The event is recorded (revoked_reason on the session's live tokens, and this line); the token is not.
    console.warn(`session ${row.sessionId} of user ${row.userId} revoked: a retired credential was presented again`);
    return { ok: false, reason: 'reused' };
  }
  const alive = await hasLiveToken(tx, row.sessionId, now);
  if (!alive) return { ok: false, reason: 'revoked' };
  return { ok: true, userId: row.userId, sessionId: row.sessionId, refreshToken: null };
}

async function hasLiveToken(db: Database | Transaction, sessionId: string, now: Date): Promise<boolean> {
  const [live] = await db
    .select({ tokenHash: refreshTokens.tokenHash })
    .from(refreshTokens)
    .where(
      and(
        eq(refreshTokens.sessionId, sessionId),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, now),
        gt(refreshTokens.lastUsedAt, idleCutoff(now)),
      ),
    )
    .limit(1);
  return live !== undefined;
}

type RevokedReason = NonNullable<RefreshToken['revokedReason']>;

function revokeSessionTokens(db: Database | Transaction, sessionId: string, reason: RevokedReason, now: Date) {
  return db
    .update(refreshTokens)
    .set({ revokedAt: now, revokedReason: reason, updatedAt: now })
    .where(and(eq(refreshTokens.sessionId, sessionId), isNull(refreshTokens.revokedAt)));
}

/**
 * Ends the session a refresh token belongs to (sign-out, or the API's revoke). Idempotent:
 * an unknown or already revoked token changes nothing.
 */
export async function revokeSession(token: string): Promise<void> {
  if (!isRefreshTokenFormat(token)) return;
  const db = await getDb();
  const [row] = await db
    .select({ sessionId: refreshTokens.sessionId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, hashRefreshToken(token)));
  if (row) await revokeSessionTokens(db, row.sessionId, 'signed_out', new Date());
}

/** Sign-out when only the access cookie is left: its `sid` names the session to end. */
export async function revokeSessionById(sessionId: string): Promise<void> {
  await revokeSessionTokens(await getDb(), sessionId, 'signed_out', new Date());
}

/** After a credentials change: every other session of the user ends. */
export async function revokeUserSessions(userId: string, exceptSessionId: string | null): Promise<void> {
  const db = await getDb();
  const now = new Date();
  const conditions = [eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)];
  if (exceptSessionId !== null) conditions.push(ne(refreshTokens.sessionId, exceptSessionId));
  await db
    .update(refreshTokens)
    .set({ revokedAt: now, revokedReason: 'credentials_changed', updatedAt: now })
    .where(and(...conditions));
}

/** The authoritative check behind a session access token: is its session still alive? */
export async function findSessionUser(sessionId: string, userId: string): Promise<User | null> {
  const db = await getDb();
  const now = new Date();
  const [row] = await db
    .select({ user: users })
    .from(refreshTokens)
    .innerJoin(users, eq(users.id, refreshTokens.userId))
    .where(
      and(
        eq(refreshTokens.sessionId, sessionId),
        eq(refreshTokens.userId, userId),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, now),
        gt(refreshTokens.lastUsedAt, idleCutoff(now)),
      ),
    )
    .limit(1);
  return row?.user ?? null;
}
