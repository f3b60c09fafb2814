import 'server-only';
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client';

/** A statement inside one of the database's transactions. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/**
 * Serialises, per user, the statements that add a refresh token (a rotation) and those that end
 * sessions. Without it a sign-out racing a rotation could miss the successor: its UPDATE waits
 * for the rotating row, then skips it as revoked, and the successor inserted after the sign-out's
 * snapshot stays live. Under this lock, whichever comes second sees what the first committed.
 * A transaction-scoped advisory lock: released at commit, and by any instance.
 */
export function userSessionsLock(userId: SQL): SQL {
  return sql`pg_advisory_xact_lock(hashtextextended('chirpy-sessions:' || ${userId}::text, 0))`;
}

/** Takes the user's sessions lock for the rest of `tx` (see userSessionsLock). */
export async function lockUserSessions(tx: Transaction, userId: string): Promise<void> {
  await tx.execute(sql`select ${userSessionsLock(sql`${userId}`)}`);
}
