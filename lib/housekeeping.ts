import 'server-only';
import { and, eq, lt, or, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { getCleanupSettings, getCronSecret, getSettings } from './config';
import { type Database, getDb } from './db/client';
import {
  authEvents,
  emailTokens,
  passwordResetTokens,
  rateLimits,
  refreshTokens,
  signInChallenges,
  webauthnChallenges,
} from './db/schema';
import { readAuthorization, secretsEqual } from './http/authorization';

/**
 * Deletes what no rule needs any more, in batches of CLEANUP_BATCH_SIZE rows, each its own short
 * statement, so a large table is never locked for long and instances keep serving meanwhile:
 *
 * - refresh tokens that expired, were revoked, or (browser sessions) went idle more than
 *   REFRESH_TOKEN_RETENTION_DAYS ago. Until then a retired token is kept so that presenting it
 *   again is recognised as reuse; after that it is merely unknown.
 * - password-reset tokens used or expired more than REFRESH_TOKEN_RETENTION_DAYS ago (a spent link
 *   is refused the same either way; the row only says when it was used);
 * - the links mailed about an address (confirmation, "this wasn't me") used or expired more than
 *   REFRESH_TOKEN_RETENTION_DAYS ago, for the same reason;
 * - pending sign-in steps (password right, second factor due) that expired: one is refused the
 *   same whether its row is there or not, so none is kept;
 * - passkey ceremonies' challenges that expired unanswered (an answered one is deleted as it is used);
 * - rate-limit counters whose window began more than RATE_LIMIT_RETENTION_HOURS ago;
 * - audit events older than AUDIT_RETENTION_DAYS.
 */

export type CleanupReport = {
  refresh_tokens: number;
  password_reset_tokens: number;
  email_tokens: number;
  sign_in_challenges: number;
  webauthn_challenges: number;
  rate_limits: number;
  auth_events: number;
  batches: number;
  duration_ms: number;
};

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** Deletes the rows `where` selects, `batchSize` at a time, until none are left; returns the count. */
async function deleteInBatches(
  db: Database,
  table: PgTable,
  key: PgColumn,
  where: SQL | undefined,
  batchSize: number,
  onBatch: () => void,
): Promise<number> {
  let total = 0;
  for (;;) {
    const batch = db.select({ key }).from(table).where(where).limit(batchSize);
    const deleted = await db.delete(table).where(sql`${key} in (${batch})`).returning({ key });
    onBatch();
    total += deleted.length;
    if (deleted.length < batchSize) return total;
  }
}

function staleRefreshTokens(now: number): SQL | undefined {
  const { REFRESH_TOKEN_RETENTION_DAYS } = getCleanupSettings();
  const retention = REFRESH_TOKEN_RETENTION_DAYS * DAY_MS;
  const cutoff = new Date(now - retention);
  const idleCutoff = new Date(now - getSettings().SESSION_IDLE_TIMEOUT_DAYS * DAY_MS - retention);
  return or(
    lt(refreshTokens.expiresAt, cutoff),
    lt(refreshTokens.revokedAt, cutoff),
    and(eq(refreshTokens.client, 'browser'), lt(refreshTokens.lastUsedAt, idleCutoff)),
  );
}

function staleResetTokens(now: number): SQL | undefined {
  const cutoff = new Date(now - getCleanupSettings().REFRESH_TOKEN_RETENTION_DAYS * DAY_MS);
  return or(lt(passwordResetTokens.usedAt, cutoff), lt(passwordResetTokens.expiresAt, cutoff));
}

function staleEmailTokens(now: number): SQL | undefined {
  const cutoff = new Date(now - getCleanupSettings().REFRESH_TOKEN_RETENTION_DAYS * DAY_MS);
  return or(lt(emailTokens.usedAt, cutoff), lt(emailTokens.expiresAt, cutoff));
}

function expiredSignInChallenges(now: number): SQL {
  return lt(signInChallenges.expiresAt, new Date(now));
}

function staleRateLimitCounters(now: number): SQL {
  return lt(rateLimits.windowStartedAt, new Date(now - getCleanupSettings().RATE_LIMIT_RETENTION_HOURS * HOUR_MS));
}

function oldAuthEvents(now: number): SQL {
  return lt(authEvents.createdAt, new Date(now - getCleanupSettings().AUDIT_RETENTION_DAYS * DAY_MS));
}

export async function cleanUpExpiredData(now = Date.now()): Promise<CleanupReport> {
  const db = await getDb();
  const settings = getCleanupSettings();
  const started = performance.now();
  let batches = 0;
  const deleteStale = (table: PgTable, key: PgColumn, where: SQL | undefined) =>
    deleteInBatches(db, table, key, where, settings.CLEANUP_BATCH_SIZE, () => {
      batches += 1;
    });
  const refreshTokenCount = await deleteStale(refreshTokens, refreshTokens.tokenHash, staleRefreshTokens(now));
  const resetTokenCount = await deleteStale(passwordResetTokens, passwordResetTokens.userId, staleResetTokens(now));
  const emailTokenCount = await deleteStale(emailTokens, emailTokens.tokenHash, staleEmailTokens(now));
  const challengeCount = await deleteStale(
    signInChallenges,
    signInChallenges.challengeHash,
    expiredSignInChallenges(now),
  );
  const passkeyChallengeCount = await deleteStale(
    webauthnChallenges,
    webauthnChallenges.tokenHash,
    lt(webauthnChallenges.expiresAt, new Date(now)),
  );
  const rateLimitCount = await deleteStale(rateLimits, rateLimits.key, staleRateLimitCounters(now));
  const eventCount = await deleteStale(authEvents, authEvents.id, oldAuthEvents(now));
  return {
    refresh_tokens: refreshTokenCount,
    password_reset_tokens: resetTokenCount,
    email_tokens: emailTokenCount,
    sign_in_challenges: challengeCount,
    webauthn_challenges: passkeyChallengeCount,
    rate_limits: rateLimitCount,
    auth_events: eventCount,
    batches,
    duration_ms: Math.round(performance.now() - started),
  };
}

/** Vercel's cron sends `Authorization: Bearer $CRON_SECRET`; with no secret set, nobody may call. */
export function isCronRequest(headers: Headers): boolean {
  const expected = getCronSecret();
  const authorization = readAuthorization(headers, 'Bearer');
  if (expected === undefined || !authorization.present || !authorization.ok) return false;
  return secretsEqual(authorization.credentials, expected);
}
