import 'server-only';
import { eq, gt, isNull, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { getSettings } from '../config';
import { type RefreshToken, refreshTokens, type User } from '../db/schema';
import { prepareStatement } from '../db/statement';

/**
 * The session check: whether the session an access token names is still alive, and the rules of
 * liveness the rest of lib/auth/ shares (sessions.ts ends them, session-rotation.ts renews them).
 *
 * - `bearer` sessions (the JSON API contract) hold one refresh token that never rotates.
 * - `browser` sessions rotate: each use retires the token (revoked, pointing at its successor)
 *   and issues the next one. The session ends at an absolute time fixed at sign-in, or after an
 *   idle period without a rotation, whichever comes first.
 */

export type SessionClient = RefreshToken['client'];

/** Why a refresh token renewed nothing. */
export type RefreshFailure = 'unknown' | 'expired' | 'revoked' | 'reused';

export const DAY_MS = 24 * 60 * 60 * 1000;

// The drivers hand timestamps over as Postgres writes them (drizzle's setting): Dates are made here.
export const userRow = z.object({
  id: z.string(),
  createdAt: z.coerce.date(),
  updatedAt: z.coerce.date(),
  email: z.string(),
  hashedPassword: z.string(),
  isChirpyRed: z.boolean(),
  credentialVersion: z.number(),
  emailVerifiedAt: z.coerce.date().nullable(),
  pendingEmail: z.string().nullable(),
});

export function idleCutoff(now: Date): Date {
  return new Date(now.getTime() - getSettings().SESSION_IDLE_TIMEOUT_DAYS * DAY_MS);
}

/**
 * A token that can still be used: before the session's absolute end and, for a browser token,
 * used within the idle timeout (bearer tokens have no idle rule). A session is live while one of
 * its tokens is live and unrevoked; a browser session has exactly one such token, a bearer one
 * its only token.
 */
export function isUsable(now: Date): SQL {
  const active = sql`(${eq(refreshTokens.client, 'bearer')} or ${gt(refreshTokens.lastUsedAt, idleCutoff(now))})`;
  return both(gt(refreshTokens.expiresAt, now), active);
}

export function isLive(now: Date): SQL {
  return both(isNull(refreshTokens.revokedAt), isUsable(now));
}

// drizzle's and() is typed as possibly empty; two conditions never are.
export function both(first: SQL, second: SQL): SQL {
  return sql`(${first} and ${second})`;
}

/** When the browser should drop the refresh cookie: the sooner of the absolute and idle ends. */
export function browserCookieExpiry(absoluteEnd: Date, now: Date): Date {
  const idleEnd = new Date(now.getTime() + getSettings().SESSION_IDLE_TIMEOUT_DAYS * DAY_MS);
  return absoluteEnd < idleEnd ? absoluteEnd : idleEnd;
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
      u.credential_version as "credentialVersion", u.email_verified_at as "emailVerifiedAt",
      u.pending_email as "pendingEmail"
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
