import 'server-only';
import { randomUUID } from 'node:crypto';
import { and, desc, eq, isNull, ne, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { recordAuthEvents } from '../audit';
import { REFRESH_TOKEN_TTL_DAYS } from '../config';
import { type Database, getDb } from '../db/client';
import { type RefreshToken, refreshTokens, type User } from '../db/schema';
import type { RequestContext } from '../http/request-context';
import { describeDevice } from './device';
import { both, browserCookieExpiry, DAY_MS, isLive, isUsable, type SessionClient } from './session-check';
import { lockUserSessions, type Transaction } from './session-lock';
import { createRefreshTokenValue, hashRefreshToken, type IssuedToken, isRefreshTokenFormat } from './tokens';

/**
 * Sessions are chains of refresh tokens sharing a session id (session-check.ts says when one is
 * alive, session-rotation.ts renews a browser's). Here they begin, are listed and end.
 */

export type NewSession = { sessionId: string; refreshToken: IssuedToken };

const insertedRows = z.object({ rows: z.array(z.object({ session_id: z.string() })) });

/**
 * Writes a new session's first refresh token, while the account's credentials are at
 * `credentialVersion` (null: whatever they are). FOR SHARE makes the check hold against a change
 * in flight: the insert waits for the change's transaction, then reads the row as the change
 * left it. A change that begins after the insert has committed finds the new session and ends it
 * with the others (revokeUserSessions). Null: the credentials moved on, or the user is gone.
 */
async function insertSession(
  userId: string,
  credentialVersion: number | null,
  client: SessionClient,
  context: RequestContext,
): Promise<NewSession | null> {
  const db = await getDb();
  const now = new Date();
  const value = createRefreshTokenValue();
  const expiresAt = new Date(now.getTime() + REFRESH_TOKEN_TTL_DAYS * DAY_MS);
  const at = sql`${now.toISOString()}::timestamptz`;
  const { rows } = insertedRows.parse(
    await db.execute(sql`
      insert into refresh_tokens (token_hash, user_id, session_id, client, session_started_at, expires_at,
        last_used_at, created_at, updated_at, user_agent, ip)
      select ${hashRefreshToken(value)}, u.id, ${randomUUID()}::uuid, ${client}, ${at},
        ${expiresAt.toISOString()}::timestamptz, ${at}, ${at}, ${at}, ${context.userAgent}, ${context.ip}
      from users u
      where u.id = ${userId}::uuid
        and (${credentialVersion}::int is null or u.credential_version = ${credentialVersion}::int)
      for share of u
      returning session_id::text as session_id`),
  );
  const [row] = rows;
  if (!row) return null;
  const cookieExpiry = client === 'browser' ? browserCookieExpiry(expiresAt, now) : expiresAt;
  return { sessionId: row.session_id, refreshToken: { value, expiresAt: cookieExpiry } };
}

/** A session for the account as it stands: one just made, or just given a new password by a reset. */
export async function createSession(
  userId: string,
  client: SessionClient,
  context: RequestContext,
): Promise<NewSession> {
  const session = await insertSession(userId, null, client, context);
  if (!session) throw new Error('createSession: no such user');
  return session;
}

/**
 * A sign-in's session: `user` is the row its password was checked against. Null when the email
 * or password changed since (or the account is gone): whoever typed the old password must not
 * come away with a session the change never saw.
 */
export async function createSessionIfCurrent(
  user: Pick<User, 'id' | 'credentialVersion'>,
  client: SessionClient,
  context: RequestContext,
): Promise<NewSession | null> {
  return insertSession(user.id, user.credentialVersion, client, context);
}
/** Who ended a session, as the audit log says it. */
export type SessionEndedBy = 'signed_out' | 'other_session' | 'credentials_changed' | 'password_reset';

const REVOKED_REASON: Record<SessionEndedBy, NonNullable<RefreshToken['revokedReason']>> = {
  signed_out: 'signed_out',
  other_session: 'signed_out',
  credentials_changed: 'credentials_changed',
  password_reset: 'credentials_changed',
};

type RevokedToken = { sessionId: string; userId: string; wasLive: boolean };

/** Revokes every unrevoked token `scope` selects. The caller holds the owners' locks. */
async function revokeTokens(tx: Transaction, scope: SQL, endedBy: SessionEndedBy): Promise<RevokedToken[]> {
  // A statement after the lock: it sees a successor a rotation committed while we waited.
  const now = new Date();
  return tx
    .update(refreshTokens)
    .set({ revokedAt: now, revokedReason: REVOKED_REASON[endedBy], updatedAt: now })
    .where(both(scope, isNull(refreshTokens.revokedAt)))
    .returning({
      sessionId: refreshTokens.sessionId,
      userId: refreshTokens.userId,
      wasLive: sql<boolean>`${isUsable(now)}`,
    });
}

/**
 * Records one `session_ended` per session that was still live (revoking a long-dead token is
 * housekeeping, not an event), once the revocation has committed: on PGlite a statement outside
 * the transaction would wait for it forever. Returns the ids of those sessions.
 */
async function recordEndedSessions(
  revoked: RevokedToken[],
  endedBy: SessionEndedBy,
  context: RequestContext,
): Promise<string[]> {
  const ended = new Map(revoked.filter((row) => row.wasLive).map((row) => [row.sessionId, row.userId]));
  await recordAuthEvents(
    [...ended].map(([sessionId, userId]) => ({ type: 'session_ended', userId, sessionId, detail: endedBy, context })),
  );
  return [...ended.keys()];
}

/** Revokes every unrevoked token of the sessions `scope` selects. Returns the ids of those that were live. */
async function endSessions(scope: SQL, endedBy: SessionEndedBy, context: RequestContext): Promise<string[]> {
  const db = await getDb();
  const revoked = await db.transaction(async (tx) => {
    const owners = await tx.selectDistinct({ userId: refreshTokens.userId }).from(refreshTokens).where(scope);
    // In one order, so that two calls locking the same users cannot deadlock.
    for (const { userId } of owners.sort((a, b) => a.userId.localeCompare(b.userId))) {
      await lockUserSessions(tx, userId);
    }
    return revokeTokens(tx, scope, endedBy);
  });
  return recordEndedSessions(revoked, endedBy, context);
}

/**
 * Ends the session a refresh token belongs to (sign-out, or the API's revoke). Idempotent:
 * an unknown or already revoked token changes nothing.
 */
export async function revokeSession(token: string, context: RequestContext): Promise<void> {
  if (!isRefreshTokenFormat(token)) return;
  const db = await getDb();
  const [row] = await db
    .select({ sessionId: refreshTokens.sessionId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, hashRefreshToken(token)));
  if (row) await endSessions(eq(refreshTokens.sessionId, row.sessionId), 'signed_out', context);
}

/** Sign-out when only the access cookie is left: its `sid` names the session to end. */
export async function revokeSessionById(sessionId: string, context: RequestContext): Promise<void> {
  await endSessions(eq(refreshTokens.sessionId, sessionId), 'signed_out', context);
}

/**
 * A credentials change: `change` writes it, and every other session of the user ends, in one
 * transaction. If anything fails, neither happened: a new password never stands while the
 * sessions of whoever knew the old one live on. `change` answers null when there is nothing to
 * change (then no session ends either). `exceptSessionId` null (a password reset, which no
 * session asked for) ends them all.
 *
 * The user's sessions lock comes first, as every other holder takes it before any row: a change
 * of email locks the user's row against the insert of a rotation, which holds this lock.
 */
export async function revokeUserSessions<T>(
  userId: string,
  exceptSessionId: string | null,
  endedBy: 'credentials_changed' | 'password_reset',
  context: RequestContext,
  change: (tx: Database) => Promise<T | null>,
): Promise<T | null> {
  const db = await getDb();
  const done = await db.transaction(async (tx) => {
    await lockUserSessions(tx, userId);
    const changed = await change(tx);
    if (changed === null) return null;
    return { changed, revoked: await revokeTokens(tx, othersOf(userId, exceptSessionId), endedBy) };
  });
  if (done === null) return null;
  await recordEndedSessions(done.revoked, endedBy, context);
  return done.changed;
}

function othersOf(userId: string, exceptSessionId: string | null): SQL {
  const owned = eq(refreshTokens.userId, userId);
  return exceptSessionId === null ? owned : both(owned, ne(refreshTokens.sessionId, exceptSessionId));
}

/** One of the user's own sessions, ended from another (the session list's Sign out). */
export async function endSession(
  userId: string,
  sessionId: string,
  context: RequestContext,
): Promise<{ ok: true } | { ok: false; reason: 'not_found' }> {
  const scope = both(eq(refreshTokens.userId, userId), eq(refreshTokens.sessionId, sessionId));
  const ended = await endSessions(scope, 'other_session', context);
  return ended.length > 0 ? { ok: true } : { ok: false, reason: 'not_found' };
}

/** "Sign out everywhere else": every live session of the user but the caller's. Returns how many ended. */
export async function endOtherSessions(
  userId: string,
  currentSessionId: string | null,
  context: RequestContext,
): Promise<number> {
  return (await endSessions(othersOf(userId, currentSessionId), 'other_session', context)).length;
}

/** One line of the session list. `ip` and `device` are where and what it was last used from. */
export type SessionSummary = {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  device: string;
  ip: string | null;
  current: boolean;
};

/** What `GET /api/sessions` shows of a session: never a token or a hash. */
export type PublicSession = {
  id: string;
  created_at: string;
  last_used_at: string;
  device: string;
  ip: string | null;
  current: boolean;
};

export function toPublicSession(session: SessionSummary): PublicSession {
  return {
    id: session.id,
    created_at: session.createdAt.toISOString(),
    last_used_at: session.lastUsedAt.toISOString(),
    device: session.device,
    ip: session.ip,
    current: session.current,
  };
}

export const sessionIdSchema = z.guid();

/** The user's live sessions, most recently used first. */
export async function listSessions(userId: string, currentSessionId: string | null): Promise<SessionSummary[]> {
  const db = await getDb();
  const rows = await db
    .select({
      id: refreshTokens.sessionId,
      createdAt: refreshTokens.sessionStartedAt,
      lastUsedAt: refreshTokens.lastUsedAt,
      userAgent: refreshTokens.userAgent,
      ip: refreshTokens.ip,
    })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.userId, userId), isLive(new Date())))
    .orderBy(desc(refreshTokens.lastUsedAt), refreshTokens.sessionId);
  return rows.map(({ userAgent, ...row }) => ({
    ...row,
    device: describeDevice(userAgent),
    current: row.id === currentSessionId,
  }));
}
