import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import { getDb } from '../db/client';
import { signInChallenges, type User } from '../db/schema';
import type { SessionClient } from './session-check';

/**
 * The pending step of a sign-in whose password held and whose second factor is still due. Its id
 * is 32 random bytes (base64url), handed to the browser in an httpOnly cookie or to an API client
 * in the answer, and stored only as its SHA-256. It lasts five minutes, takes five tries, and
 * ends a session at most once. Times are the application's clock, which the tests set.
 */

export const CHALLENGE_TTL_SECONDS = 5 * 60;
export const CHALLENGE_MAX_ATTEMPTS = 5;
const CHALLENGE_ID_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export type Challenge = { id: string; expiresAt: Date };

function hashChallengeId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/** A pending step for `user` as its password check read it; `client` is what the session will be. */
export async function createChallenge(
  user: Pick<User, 'id' | 'credentialVersion'>,
  client: SessionClient,
  nowMs = Date.now(),
): Promise<Challenge> {
  const id = randomBytes(32).toString('base64url');
  const expiresAt = new Date(nowMs + CHALLENGE_TTL_SECONDS * 1000);
  const db = await getDb();
  await db.insert(signInChallenges).values({
    challengeHash: hashChallengeId(id),
    userId: user.id,
    client,
    credentialVersion: user.credentialVersion,
    createdAt: new Date(nowMs),
    expiresAt,
  });
  return { id, expiresAt };
}

export type PendingStep = { userId: string; credentialVersion: number };

const live = (id: string, nowMs: number) =>
  and(
    eq(signInChallenges.challengeHash, hashChallengeId(id)),
    isNull(signInChallenges.usedAt),
    gt(signInChallenges.expiresAt, new Date(nowMs)),
  );

/**
 * Counts one try at a pending step and answers whose it is, in one statement: parallel tries
 * cannot get past the limit together. Null for an unknown, expired, used or malformed id, for
 * one whose tries are spent, and for one of another kind than `client` (a browser's step is
 * finished by a browser, an API client's by an API client).
 */
export async function takeChallengeAttempt(
  id: string,
  client: SessionClient,
  nowMs = Date.now(),
): Promise<PendingStep | null> {
  if (!CHALLENGE_ID_FORMAT.test(id)) return null;
  const db = await getDb();
  const [row] = await db
    .update(signInChallenges)
    .set({ attempts: sql`${signInChallenges.attempts} + 1` })
    .where(
      and(live(id, nowMs), eq(signInChallenges.client, client), lt(signInChallenges.attempts, CHALLENGE_MAX_ATTEMPTS)),
    )
    .returning({ userId: signInChallenges.userId, credentialVersion: signInChallenges.credentialVersion });
  return row ?? null;
}

/** Ends a pending step that led to a session; false when a parallel request ended it first. */
export async function spendChallenge(id: string, nowMs = Date.now()): Promise<boolean> {
  const db = await getDb();
  const spent = await db
    .update(signInChallenges)
    .set({ usedAt: new Date(nowMs) })
    .where(live(id, nowMs))
    .returning({ userId: signInChallenges.userId });
  return spent.length > 0;
}
