import 'server-only';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Database, getDb } from './db/client';
import { isUniqueViolation } from './db/errors';
import { type User, users } from './db/schema';
import { MESSAGES } from './messages';
import { coded } from './rule-codes';

/**
 * User records: reading and writing rows. Passwords arrive here already hashed; checking and
 * hashing them is lib/auth/password-account.ts's business, which builds on this module (never the
 * reverse).
 */

const MAX_EMAIL_LENGTH = 254;
export const INVALID_EMAIL = MESSAGES.invalid_email;

const emailFormat = z.email();

/**
 * Refinements carrying catalogue codes, so the sign-up form can say which rule failed. NFKC first:
 * an address typed with fullwidth characters (an input method left in that mode) is the ASCII
 * address it stands for, not an invalid one, nor a second account.
 */
export const emailSchema = z
  .string({ error: 'email must be a string' })
  .normalize('NFKC')
  .trim()
  .toLowerCase()
  .refine((email) => email.length <= MAX_EMAIL_LENGTH, { ...coded('email_too_long'), abort: true })
  .refine((email) => emailFormat.safeParse(email).success, coded('invalid_email'));

/** The public shape of a user in every response: never the password hash. */
export type PublicUser = {
  id: string;
  created_at: string;
  updated_at: string;
  email: string;
  is_chirpy_red: boolean;
};

export function toPublicUser(user: User): PublicUser {
  return {
    id: user.id,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
    email: user.email,
    is_chirpy_red: user.isChirpyRed,
  };
}

/**
 * `GET /api/me`: the public shape, and whether the address is confirmed and which address waits
 * for its confirmation (lib/auth/email-verification.ts). The contract's other answers keep the
 * public shape alone.
 */
export type PublicAccount = PublicUser & { email_verified: boolean; pending_email: string | null };

export function toPublicAccount(user: User): PublicAccount {
  return { ...toPublicUser(user), email_verified: user.emailVerifiedAt !== null, pending_email: user.pendingEmail };
}

export type UserWrite = { ok: true; user: User } | { ok: false; reason: 'email_taken' };

export async function insertUser(email: string, hashedPassword: string): Promise<UserWrite> {
  const db = await getDb();
  try {
    const [user] = await db.insert(users).values({ email, hashedPassword }).returning();
    if (!user) throw new Error('insert returned no row');
    return { ok: true, user };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'email_taken' };
    throw error;
  }
}

export type UserChanges = { email?: string; hashedPassword?: string };

/**
 * Writes new credentials, inside the caller's transaction (`db`), so that a change of email or
 * password commits together with what it entails (the end of the user's other sessions). The
 * credential version moves on, so a sign-in that checked the old password gets no session. A
 * taken email throws (a unique violation, see db/errors.ts), which ends the transaction; null:
 * no such user.
 */
export async function writeCredentials(db: Database, userId: string, changes: UserChanges): Promise<User | null> {
  const [user] = await db
    .update(users)
    .set({
      ...changes,
      ...(changes.email === undefined ? {} : addressChangeEffects(changes.email)),
      credentialVersion: sql`${users.credentialVersion} + 1`,
      updatedAt: sql`now()`,
    })
    .where(eq(users.id, userId))
    .returning();
  return user ?? null;
}

/**
 * A new address is unconfirmed until its own link is followed, and replaces any change that was
 * waiting; writing the address the account already has changes neither.
 */
function addressChangeEffects(email: string) {
  const same = sql`${users.email} = ${email}`;
  return {
    emailVerifiedAt: sql`case when ${same} then ${users.emailVerifiedAt} else null end`,
    pendingEmail: sql`case when ${same} then ${users.pendingEmail} else null end`,
  };
}

export async function findUserById(userId: string): Promise<User | null> {
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  return user ?? null;
}

/** `email` as stored: trimmed and lower-cased (emailSchema's output). */
export async function findUserByEmail(email: string): Promise<User | null> {
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.email, email));
  return user ?? null;
}

/** Polka's `user.upgraded`: returns false when no such user exists. */
export async function upgradeToChirpyRed(userId: string): Promise<boolean> {
  const db = await getDb();
  const updated = await db
    .update(users)
    .set({ isChirpyRed: true, updatedAt: sql`now()` })
    .where(eq(users.id, userId))
    .returning({ id: users.id });
  return updated.length > 0;
}

/** Development reset: chirps and refresh tokens go with their users (ON DELETE CASCADE). */
export async function deleteAllUsers(): Promise<number> {
  const db = await getDb();
  const deleted = await db.delete(users).returning({ id: users.id });
  return deleted.length;
}
