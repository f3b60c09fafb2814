import 'server-only';
import { createHash, randomInt } from 'node:crypto';
import { and, count, eq, isNull, sql } from 'drizzle-orm';
import { type Database, getDb } from '../db/client';
import { recoveryCodes } from '../db/schema';

/**
 * Recovery codes: what gets a person past the second factor when the phone is gone. Ten per
 * account, each good once, shown once when made; the database keeps only their SHA-256, which is
 * enough for a random value this long: each code is 16 characters from 31 letters and digits
 * without look-alikes (no 0/o, 1/l/i), about 79 random bits, in four groups: `7kfm-q2xd-rtn9-ab4h`.
 */

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const GROUPS = 4;
const GROUP_LENGTH = 4;
const RECOVERY_CODE_FORMAT = new RegExp(`^[${ALPHABET}]{${GROUPS * GROUP_LENGTH}}$`);

function createRecoveryCode(): string {
  const groups = Array.from({ length: GROUPS }, () =>
    Array.from({ length: GROUP_LENGTH }, () => ALPHABET.charAt(randomInt(ALPHABET.length))).join(''),
  );
  return groups.join('-');
}

export function createRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, createRecoveryCode);
}

/** A code as typed: case, spaces and dashes are how people copy it, and mean nothing. */
function normalizeRecoveryCode(typed: string): string {
  return typed.toLowerCase().replace(/[\s-]+/g, '');
}

export function looksLikeRecoveryCode(typed: string): boolean {
  return RECOVERY_CODE_FORMAT.test(normalizeRecoveryCode(typed));
}

export function hashRecoveryCode(typed: string): string {
  return createHash('sha256').update(normalizeRecoveryCode(typed)).digest('hex');
}

/** A new set for the account, in the caller's transaction: the old set stops working with it. */
export async function replaceRecoveryCodes(tx: Database, userId: string, codes: string[]): Promise<void> {
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await tx.insert(recoveryCodes).values(codes.map((code) => ({ userId, codeHash: hashRecoveryCode(code) })));
}

/**
 * Spends one of the account's codes, in one statement: of two requests with the same code, one
 * gets it. False for a used, replaced, unknown or malformed code.
 */
export async function spendRecoveryCode(userId: string, typed: string): Promise<boolean> {
  if (!looksLikeRecoveryCode(typed)) return false;
  const db = await getDb();
  const spent = await db
    .update(recoveryCodes)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(recoveryCodes.codeHash, hashRecoveryCode(typed)),
        eq(recoveryCodes.userId, userId),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .returning({ userId: recoveryCodes.userId });
  return spent.length > 0;
}

export async function countUnusedRecoveryCodes(userId: string): Promise<number> {
  const db = await getDb();
  const [row] = await db
    .select({ unused: count() })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return row?.unused ?? 0;
}

export async function discardRecoveryCodes(tx: Database, userId: string): Promise<void> {
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
}
