import 'server-only';
import { randomUUID } from 'node:crypto';
import { and, desc, eq, gt, isNull, ne, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { recordAuthEvents } from '../audit';
import { getRateLimit, getSettings, REFRESH_TOKEN_TTL_DAYS } from '../config';
import { type Database, getDb } from '../db/client';
import { type RefreshToken, refreshTokens, type User } from '../db/schema';
import { prepareStatement } from '../db/statement';
import type { RequestContext } from '../http/request-context';
import { countingUpsert, judgeHit, type RateLimited } from '../rate-limit';
import { findUserById } from '../users';
import { describeDevice } from './device';
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

// The drivers hand timestamps over as Postgres writes them (drizzle's setting): Dates are made here.
const userRow = z.object({
  id: z.string(),
  createdAt: z.coerce.date(),
  updatedAt: z.coerce.date(),
  email: z.string(),
  hashedPassword: z.string(),
  isChirpyRed: z.boolean(),
  credentialVersion: z.number(),
});

export type NewSession = { sessionId: string; refreshToken: IssuedToken };

function idleCutoff(now: Date): Date {
  return new Date(now.getTime() - getSettings().SESSION_IDLE_TIMEOUT_DAYS * DAY_MS);
}

/**
 * A token that can still be used: before the session's absolute end and, for a browser token,
 * used within the idle timeout (bearer tokens have no idle rule). A session is live while one of
 * its tokens is live and unrevoked; a browser session has exactly one such token, a bearer one
 * its only token.
 */
function isUsable(now: Date): SQL {
  const active = sql`(${eq(refreshTokens.client, 'bearer')} or ${gt(refreshTokens.lastUsedAt, idleCutoff(now))})`;
  return both(gt(refreshTokens.expiresAt, now), active);
}

function isLive(now: Date): SQL {
  return both(isNull(refreshTokens.revokedAt), isUsable(now));
}

// drizzle's and() is typed as possibly empty; two conditions never are.
function both(first: SQL, second: SQL): SQL {
  return sql`(${first} and ${second})`;
}

/** When the browser should drop the refresh cookie: the sooner of the absolute and idle ends. */
function browserCookieExpiry(absoluteEnd: Date, now: Date): Date {
  const idleEnd = new Date(now.getTime() + getSettings().SESSION_IDLE_TIMEOUT_DAYS * DAY_MS);
  return absoluteEnd < idleEnd ? absoluteEnd : idleEnd;
}

/**
 * Serialises, per user, the statements that add a refresh token (a rotation) and those that end
 * sessions. Without it a sign-out racing a rotation could miss the successor: its UPDATE waits
 * for the rotating row, then skips it as revoked, and the successor inserted after the sign-out's
 * snapshot stays live. Under this lock, whichever comes second sees what the first committed.
 * A transaction-scoped advisory lock: released at commit, and by any instance.
 */
function userSessionsLock(userId: SQL): SQL {
  return sql`pg_advisory_xact_lock(hashtextextended('chirpy-sessions:' || ${userId}::text, 0))`;
}

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

export type RefreshFailure = 'unknown' | 'expired' | 'revoked' | 'reused';

const bearerRows = z.object({
  rows: z.array(
    z.object({
      hits: z.number().nullable(),
      retry_after: z.number().nullable(),
      presented_user_id: z.string().nullable(),
      user_id: z.string().nullable(),
      session_id: z.string().nullable(),
    }),
  ),
});

/**
 * The design note's `GetUserFromRefreshToken`: a bearer refresh token, unrevoked and unexpired,
 * names its user and session. Nothing rotates on this path. One statement: the use is counted
 * against the session's limit and, within it, recorded (when and from where). Tokens that are not
 * valid count against nothing and leave no row. The user exists while the token does (its rows
 * go with the user), so the user row itself is not read.
 */
const bearerRefreshStatement = prepareStatement('chirpy_bearer_refresh', () => {
  const at = sql`${sql.placeholder('at')}::timestamptz`;
  const presented = sql`token_hash = ${sql.placeholder('tokenHash')} and client = 'bearer' and revoked_at is null
    and expires_at > ${at}`;
  return sql`
    with presented as (
      select session_id, user_id from refresh_tokens where ${presented}
    ), hit as (
      ${countingUpsert(sql`select 'bearer_refresh:' || session_id from presented`, sql.placeholder('windowSeconds'))}
    ), used as (
      update refresh_tokens set last_used_at = ${at}, ip = ${sql.placeholder('ip')}
      where ${presented} and (select hits from hit) <= ${sql.placeholder('limit')}::int
      returning user_id, session_id
    )
    select (select hits from hit) as hits, (select retry_after from hit) as retry_after,
      presented.user_id::text as presented_user_id, used.user_id::text as user_id, used.session_id::text as session_id
    from (select 1) as one
      left join presented on true
      left join used on true`;
});

export async function validateRefreshToken(
  token: string,
  context: RequestContext,
): Promise<{ ok: true; userId: string; sessionId: string } | { ok: false; reason: RefreshFailure } | RateLimited> {
  if (!isRefreshTokenFormat(token)) return { ok: false, reason: 'unknown' };
  const { limit, windowSeconds } = getRateLimit('bearer_refresh');
  const result = bearerRows.parse(
    await bearerRefreshStatement({
      tokenHash: hashRefreshToken(token),
      at: new Date().toISOString(),
      ip: context.ip,
      limit,
      windowSeconds,
    }),
  );
  const [row] = result.rows;
  if (row?.user_id && row.session_id) return { ok: true, userId: row.user_id, sessionId: row.session_id };
  if (!row?.presented_user_id || row.hits === null || row.hits <= limit) return { ok: false, reason: 'unknown' };
  const hit = { hits: row.hits, limit, retryAfterSeconds: row.retry_after ?? 1 };
  const judged = await judgeHit(hit, 'bearer_refresh', { userId: row.presented_user_id, context });
  return judged.ok ? { ok: false, reason: 'unknown' } : judged;
}

/** A renewed browser session: who it is, and its next refresh token (null: keep the one you have). */
export type Rotation =
  | { ok: true; user: User; sessionId: string; refreshToken: IssuedToken | null }
  | { ok: false; reason: RefreshFailure }
  | RateLimited;

type Exchange = { ok: true; userId: string; sessionId: string; refreshToken: IssuedToken | null };

/** Inside the transaction a detected reuse still names its session, for the audit log written after it. */
type RotationOutcome =
  | Exchange
  | { ok: false; reason: RefreshFailure }
  | { ok: false; reused: { userId: string; sessionId: string } };

const rotationRows = z.object({
  rows: z.array(
    z.object({
      hits: z.number().nullable(),
      retry_after: z.number().nullable(),
      presented_user_id: z.string().nullable(),
      presented_session_id: z.string().nullable(),
      session_id: z.string().nullable(),
      expires_at_ms: z.number().nullable(),
      user: userRow.nullable(),
    }),
  ),
});

const rotationStatement = prepareStatement('chirpy_rotation', () => {
  const at = sql`${sql.placeholder('at')}::timestamptz`;
  const successorHash = sql.placeholder('successorHash');
  const tokenHash = sql.placeholder('tokenHash');
  return sql`
    with presented as (
      select session_id, user_id, ${userSessionsLock(sql`user_id`)} as locked
      from refresh_tokens where token_hash = ${tokenHash} and client = 'browser'
    ), hit as (
      ${countingUpsert(sql`select 'cookie_rotation:' || session_id from presented`, sql.placeholder('windowSeconds'))}
    ), retired as (
      update refresh_tokens set revoked_at = ${at}, revoked_reason = 'rotated',
        replaced_by = ${successorHash}, last_used_at = ${at}, updated_at = ${at}
      where token_hash = ${tokenHash} and client = 'browser' and revoked_at is null
        and expires_at > ${at} and last_used_at > ${sql.placeholder('idleCutoff')}::timestamptz
        and (select hits from hit) <= ${sql.placeholder('limit')}::int
      returning user_id, session_id, session_started_at, expires_at
    ), successor as (
      insert into refresh_tokens (token_hash, user_id, session_id, client, session_started_at, expires_at,
        last_used_at, created_at, updated_at, user_agent, ip)
      select ${successorHash}, user_id, session_id, 'browser', session_started_at, expires_at,
        ${at}, ${at}, ${at}, ${sql.placeholder('userAgent')}, ${sql.placeholder('ip')}
      from retired
      returning token_hash
    )
    select (select hits from hit) as hits, (select retry_after from hit) as retry_after,
      presented.user_id::text as presented_user_id, presented.session_id::text as presented_session_id,
      retired.session_id::text as session_id,
      (extract(epoch from retired.expires_at) * 1000)::float8 as expires_at_ms,
      case when u.id is null then null else json_build_object('id', u.id, 'createdAt', u.created_at,
        'updatedAt', u.updated_at, 'email', u.email, 'hashedPassword', u.hashed_password,
        'isChirpyRed', u.is_chirpy_red, 'credentialVersion', u.credential_version) end as user
    from (select 1) as one
      left join presented on true
      left join retired on true
      left join users u on u.id = retired.user_id`;
});

/**
 * Exchanges a browser refresh token for its successor, in one statement (one round trip): find
 * the presented token's session, count the rotation against that session's limit, and, if the
 * limit allows, retire the token and insert its successor. The session's user comes back with
 * it, so a request renewed on the way needs no other query to know who is asking.
 *
 * The conditional UPDATE is the lock: of two requests presenting the same token, exactly one
 * retires it and gets the successor. The other (and any presenting it within the grace window)
 * succeeds without a new refresh token (`refreshToken: null`): the successor's plaintext exists
 * only in the winner's response, so the browser keeps that one and the session never forks.
 * After the window, presenting a retired token means a copy is in someone else's hands: the
 * whole session is revoked. Over the rotation limit nothing rotates and nobody is signed out.
 * Tokens we never issued count against nothing and leave no row.
 */
export async function rotateRefreshToken(token: string, context: RequestContext): Promise<Rotation> {
  if (!isRefreshTokenFormat(token)) return { ok: false, reason: 'unknown' };
  const now = new Date();
  const tokenHash = hashRefreshToken(token);
  const successor = createRefreshTokenValue();
  const { limit, windowSeconds } = getRateLimit('cookie_rotation');
  const result = rotationRows.parse(
    await rotationStatement({
      tokenHash,
      successorHash: hashRefreshToken(successor),
      at: now.toISOString(),
      idleCutoff: idleCutoff(now).toISOString(),
      limit,
      windowSeconds,
      userAgent: context.userAgent,
      ip: context.ip,
    }),
  );
  const [row] = result.rows;
  if (!row?.presented_session_id || !row.presented_user_id) return { ok: false, reason: 'unknown' };
  if (row.user && row.session_id && row.expires_at_ms !== null) {
    const refreshToken = { value: successor, expiresAt: browserCookieExpiry(new Date(row.expires_at_ms), now) };
    return { ok: true, user: row.user, sessionId: row.session_id, refreshToken };
  }
  if (row.hits !== null && row.hits > limit) {
    const hit = { hits: row.hits, limit, retryAfterSeconds: row.retry_after ?? 1 };
    const witness = { userId: row.presented_user_id, sessionId: row.presented_session_id, context };
    const judged = await judgeHit(hit, 'cookie_rotation', witness);
    if (!judged.ok) return judged;
  }
  return explainRejectedRotation(tokenHash, now, context);
}

/** Why a presented token did not rotate: the grace window, reuse, or a token that is simply done. */
async function explainRejectedRotation(tokenHash: string, now: Date, context: RequestContext): Promise<Rotation> {
  const db = await getDb();
  const outcome = await db.transaction((tx) => judgeRetiredToken(tx, tokenHash, now, context));
  if (outcome.ok) {
    // The rare paths (the grace window, a lost response) read the user on their own.
    const user = await findUserById(outcome.userId);
    if (!user) return { ok: false, reason: 'unknown' };
    return { ok: true, user, sessionId: outcome.sessionId, refreshToken: outcome.refreshToken };
  }
  if (!('reused' in outcome)) return outcome;
  // Written after the transaction: on PGlite a statement outside it would wait for it forever.
  await recordAuthEvents([{ type: 'reuse_detected', ...outcome.reused, context }]);
  return { ok: false, reason: 'reused' };
}

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

async function judgeRetiredToken(
  tx: Transaction,
  tokenHash: string,
  now: Date,
  context: RequestContext,
): Promise<RotationOutcome> {
  const [presented] = await tx
    .select({ userId: refreshTokens.userId, client: refreshTokens.client })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, tokenHash));
  if (presented?.client !== 'browser') return { ok: false, reason: 'unknown' };
  // The user's lock before any row lock, in the order every other holder takes them (a rotation,
  // a sign-out), so that none of them can deadlock; then the row, as it is now.
  await tx.execute(sql`select ${userSessionsLock(sql`${presented.userId}`)}`);
  const row = await lockedToken(tx, tokenHash);
  if (row === undefined) return { ok: false, reason: 'unknown' };
  if (row.revokedAt === null) return { ok: false, reason: 'expired' };
  // A superseded token was replaced behind its holder's back: two parties hold this session.
  if (row.revokedReason === 'superseded') return revokeForReuse(tx, row, now);
  if (row.revokedReason !== 'rotated') return { ok: false, reason: 'revoked' };
  if (isWithinGrace(row.revokedAt, now)) {
    const [alive] = await tx
      .select({ tokenHash: refreshTokens.tokenHash })
      .from(refreshTokens)
      .where(both(eq(refreshTokens.sessionId, row.sessionId), isLive(now)))
      .limit(1);
    if (!alive) return { ok: false, reason: 'revoked' };
    return { ok: true, userId: row.userId, sessionId: row.sessionId, refreshToken: null };
  }
  const successor = row.replacedBy === null ? undefined : await lockedToken(tx, row.replacedBy);
  if (successor && isUnconfirmed(successor, now)) return reissueSuccessor(tx, row, successor, now, context);
  if (successor && (await isFreshLateExchange(tx, successor, now))) {
    return { ok: true, userId: row.userId, sessionId: row.sessionId, refreshToken: null };
  }
  return revokeForReuse(tx, row, now);
}

function isWithinGrace(retiredAt: Date, now: Date): boolean {
  return now.getTime() <= retiredAt.getTime() + getSettings().REFRESH_REUSE_GRACE_SECONDS * 1000;
}

/**
 * The retired token was just exchanged late (see reissueSuccessor), and the same browser sent it
 * again alongside (a page and its prefetch, which left with the same cookie). Like the grace
 * window of any rotation: within the window of that exchange, and while the token it issued is
 * still unused, the request gets an access token and no new refresh token, so the browser keeps
 * the one the exchange gave it. After the window, or once that token has been used, it is reuse.
 */
async function isFreshLateExchange(tx: Transaction, superseded: RefreshToken, now: Date): Promise<boolean> {
  const { revokedReason, revokedAt, replacedBy } = superseded;
  if (revokedReason !== 'superseded' || revokedAt === null || replacedBy === null) return false;
  if (!isWithinGrace(revokedAt, now)) return false;
  const issued = await lockedToken(tx, replacedBy);
  return issued !== undefined && isUnconfirmed(issued, now);
}

function lockedToken(tx: Transaction, tokenHash: string): Promise<RefreshToken | undefined> {
  return tx
    .select()
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .for('update')
    .then(([row]) => row);
}

/**
 * A successor nobody has presented yet: still unrevoked and usable. Its first use (the next
 * rotation) confirms that its holder received it; until then the response carrying it may have
 * been lost (a request aborted after the server committed).
 */
function isUnconfirmed(successor: RefreshToken, now: Date): boolean {
  return successor.revokedAt === null && successor.expiresAt > now && successor.lastUsedAt > idleCutoff(now);
}

/**
 * The lost response. A retired token presented after the grace window whose successor was never
 * used is exchanged once more: the unconfirmed successor is superseded (revoked) and a new one
 * issued, so the session keeps exactly one live token and the browser that never got its cookie
 * is not signed out. Only once: the retired token now points at a superseded successor, so
 * presenting it again is reuse (after the exchange's own grace window, see isFreshLateExchange),
 * and so is presenting the superseded token.
 *
 * The trade-off against reuse detection: a stolen retired token is caught at once only when its
 * successor has been used. Until then the thief's exchange succeeds, and the theft is detected
 * when the rightful browser next presents its (now superseded) token: the whole session ends then.
 */
async function reissueSuccessor(
  tx: Transaction,
  retired: RefreshToken,
  successor: RefreshToken,
  now: Date,
  context: RequestContext,
): Promise<RotationOutcome> {
  const value = createRefreshTokenValue();
  await tx.insert(refreshTokens).values({
    tokenHash: hashRefreshToken(value),
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
  await tx
    .update(refreshTokens)
    .set({ revokedAt: now, revokedReason: 'superseded', replacedBy: hashRefreshToken(value), updatedAt: now })
    .where(eq(refreshTokens.tokenHash, successor.tokenHash));
  const refreshToken = { value, expiresAt: browserCookieExpiry(retired.expiresAt, now) };
  return { ok: true, userId: retired.userId, sessionId: retired.sessionId, refreshToken };
}

async function revokeForReuse(tx: Transaction, row: RefreshToken, now: Date): Promise<RotationOutcome> {
  await tx
    .update(refreshTokens)
    .set({ revokedAt: now, revokedReason: 'reuse_detected', updatedAt: now })
    .where(and(eq(refreshTokens.sessionId, row.sessionId), isNull(refreshTokens.revokedAt)));
  // The event is recorded (revoked_reason, the audit log, and this line); the token is not.
  console.warn(`session ${row.sessionId} of user ${row.userId} revoked: a retired credential was presented again`);
  return { ok: false, reused: { userId: row.userId, sessionId: row.sessionId } };
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

async function lockUserSessions(tx: Transaction, userId: string): Promise<void> {
  await tx.execute(sql`select ${userSessionsLock(sql`${userId}`)}`);
}

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

const sessionUserRows = z.object({ rows: z.array(userRow) });

/**
 * The session check as SQL: does the claimed session still have a live token? Its values are the
 * placeholders `sessionCheckValues` fills. Shared by the check itself and by a write that carries
 * it (lib/chirps.ts), so both apply the same rule. A null client matches either kind of session.
 */
export function liveSessionCondition(token: SQL): SQL {
  return sql`${token}.session_id = ${sql.placeholder('sessionId')}::uuid
    and ${token}.user_id = ${sql.placeholder('userId')}::uuid
    and (${sql.placeholder('client')}::text is null or ${token}.client = ${sql.placeholder('client')}::text)
    and ${token}.revoked_at is null and ${token}.expires_at > ${sql.placeholder('now')}::timestamptz
    and (${token}.client = 'bearer' or ${token}.last_used_at > ${sql.placeholder('idleCutoff')}::timestamptz)`;
}

export function sessionCheckValues(sessionId: string, userId: string, client: SessionClient | null) {
  const now = new Date();
  return { sessionId, userId, client, now: now.toISOString(), idleCutoff: idleCutoff(now).toISOString() };
}

// Behind every signed-in page and every authenticated API call: prepared once (lib/db/statement.ts).
const sessionUserStatement = prepareStatement(
  'chirpy_session_user',
  () => sql`
    select u.id, u.created_at as "createdAt", u.updated_at as "updatedAt", u.email,
      u.hashed_password as "hashedPassword", u.is_chirpy_red as "isChirpyRed",
      u.credential_version as "credentialVersion"
    from refresh_tokens t join users u on u.id = t.user_id
    where ${liveSessionCondition(sql`t`)}
    limit 1`,
);

/**
 * The authoritative check behind an access token that names its session: is it still alive?
 * `client` narrows it to one kind of session (the access cookie is only ever a browser session's).
 */
export async function findSessionUser(sessionId: string, userId: string, client?: SessionClient): Promise<User | null> {
  const { rows } = sessionUserRows.parse(
    await sessionUserStatement(sessionCheckValues(sessionId, userId, client ?? null)),
  );
  return rows[0] ?? null;
}
