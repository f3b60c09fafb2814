import 'server-only';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { fitsBcrypt, hashPassword, passwordSchema, verifyAgainstDummy, verifyPassword } from './auth/password';
import { getDb } from './db/client';
import { isUniqueViolation } from './db/errors';
import { type User, users } from './db/schema';
import { coded } from './forms';
import { MESSAGES } from './messages';

const MAX_EMAIL_LENGTH = 254;
export const INVALID_EMAIL = MESSAGES.invalid_email;
export const EMAIL_TAKEN = MESSAGES.email_taken;
export const INCORRECT_CREDENTIALS = MESSAGES.incorrect_credentials;

const emailFormat = z.email();

/** Refinements carrying catalogue codes, so the sign-up form can say which rule failed. */
export const emailSchema = z
  .string({ error: 'email must be a string' })
  .trim()
  .toLowerCase()
  .refine((email) => email.length <= MAX_EMAIL_LENGTH, { ...coded('email_too_long'), abort: true })
  .refine((email) => emailFormat.safeParse(email).success, coded('invalid_email'));

/** Sign-up and account changes: the password policy applies. */
export const credentialsSchema = z.object({ email: emailSchema, password: passwordSchema });

/**
 * Login: the policy is not re-checked (it may have changed since the account was made), but a
 * password bcrypt would truncate is refused rather than compared on its first 72 bytes.
 */
export const loginSchema = z.object({
  email: emailSchema,
  password: z
    .string({ error: 'password must be a string' })
    .min(1, 'password is required')
    .refine(fitsBcrypt, coded('password_too_long')),
});

export type Credentials = z.infer<typeof credentialsSchema>;

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

export type UserWrite = { ok: true; user: User } | { ok: false; reason: 'email_taken' };

export async function createUser(credentials: Credentials): Promise<UserWrite> {
  const db = await getDb();
  const hashedPassword = await hashPassword(credentials.password);
  try {
    const [user] = await db.insert(users).values({ email: credentials.email, hashedPassword }).returning();
    if (!user) throw new Error('insert returned no row');
    return { ok: true, user };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'email_taken' };
    throw error;
  }
}

export async function updateUserCredentials(
  userId: string,
  credentials: Credentials,
): Promise<UserWrite | { ok: false; reason: 'not_found' }> {
  const db = await getDb();
  const hashedPassword = await hashPassword(credentials.password);
  try {
    const [user] = await db
      .update(users)
      .set({ email: credentials.email, hashedPassword, updatedAt: sql`now()` })
      .where(eq(users.id, userId))
      .returning();
    return user ? { ok: true, user } : { ok: false, reason: 'not_found' };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'email_taken' };
    throw error;
  }
}

/** Unknown email and wrong password take the same time and give the same answer. */
export async function verifyCredentials(email: string, password: string): Promise<User | null> {
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.email, email));
  if (!user) {
    // Hash the password anyway, so an unknown email costs the same time as a wrong password.
    await verifyAgainstDummy(password);
    return null;
  }
  return (await verifyPassword(password, user.hashedPassword)) ? user : null;
}

export async function findUserById(userId: string): Promise<User | null> {
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.id, userId));
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
