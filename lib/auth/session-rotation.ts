import 'server-only';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { recordAuthEvents } from '../audit';
import { getRateLimit, getSettings } from '../config';
import { getDb } from '../db/client';
import { type RefreshToken, refreshTokens, type User } from '../db/schema';
import { prepareStatement } from '../db/statement';
import type { RequestContext } from '../http/request-context';
import { carriedHitColumns, countingUpsert, judgeHit, type RateLimited } from '../rate-limit';
import { findUserById } from '../users';
import { both, browserCookieExpiry, idleCutoff, isLive, type RefreshFailure, userRow } from './session-check';
import { lockUserSessions, type Transaction, userSessionsLock } from './session-lock';
import { createRefreshTokenValue, hashRefreshToken, type IssuedToken, isRefreshTokenFormat } from './tokens';

/**
 * Renewing a browser session: each refresh token is used once and replaced by its successor, with
 * a grace window for a page's parallel requests, reuse detection after it, and one more exchange
 * for a successor whose response was lost.
 */

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
      ...carriedHitColumns,
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
        'isChirpyRed', u.is_chirpy_red, 'credentialVersion', u.credential_version,
        'emailVerifiedAt', u.email_verified_at, 'pendingEmail', u.pending_email) end as user
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
  await lockUserSessions(tx, presented.userId);
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
