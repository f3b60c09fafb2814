import 'server-only';
import { and, asc, count, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { recordAuthEvent } from '../audit';
import { getDb } from '../db/client';
import { isUniqueViolation } from '../db/errors';
import { type Passkey, passkeys, type User, users } from '../db/schema';
import type { RequestContext } from '../http/request-context';
import { MAX_PASSKEY_NAME_LENGTH } from '../messages';
import { coded } from '../rule-codes';

/**
 * An account's passkeys as records: adding one, listing, renaming, removing, and how many ways
 * the account has left to sign in. The WebAuthn ceremonies that prove a passkey are
 * lib/auth/passkey-ceremonies.ts.
 */

/** The name a person gives a passkey: trimmed, never empty, short enough for the list. */
export const passkeyNameSchema = z
  .string({ error: 'name must be a string' })
  .trim()
  .refine((name) => name.length > 0, coded('passkey_name_required'))
  .refine((name) => name.length <= MAX_PASSKEY_NAME_LENGTH, coded('passkey_name_too_long'));

export const passkeyIdSchema = z.guid();

export type NewPasskey = {
  credentialId: string;
  publicKey: string;
  signCount: number;
  transports: string[];
  backupEligible: boolean;
  backedUp: boolean;
  name: string;
};

/** A credential id already registered (to this account or any other) is refused, not overwritten. */
export async function insertPasskey(
  userId: string,
  passkey: NewPasskey,
  context: RequestContext,
): Promise<{ ok: true; passkey: Passkey } | { ok: false; reason: 'already_registered' }> {
  const db = await getDb();
  let row: Passkey | undefined;
  try {
    [row] = await db
      .insert(passkeys)
      .values({ userId, ...passkey })
      .returning();
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'already_registered' };
    throw error;
  }
  if (!row) throw new Error('insert into passkeys returned no row');
  await recordAuthEvent({ type: 'passkey_added', userId, detail: passkey.name, context });
  return { ok: true, passkey: row };
}

export async function listPasskeys(userId: string): Promise<Passkey[]> {
  const db = await getDb();
  return db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt));
}

export async function findPasskeyByCredentialId(credentialId: string): Promise<Passkey | null> {
  const db = await getDb();
  const [row] = await db.select().from(passkeys).where(eq(passkeys.credentialId, credentialId));
  return row ?? null;
}

/**
 * A verified use: the new counter, whether it is synced now, when. The counter is written only
 * if it went up (or both are 0, for an authenticator that keeps none), in the statement that
 * checks it, so two uses of a copied key cannot both pass. `false`: it did not go up.
 */
export async function recordPasskeyUse(passkey: Passkey, signCount: number, backedUp: boolean): Promise<boolean> {
  const db = await getDb();
  const counts = sql`(${passkeys.signCount} < ${signCount} or (${passkeys.signCount} = 0 and ${signCount} = 0))`;
  const updated = await db
    .update(passkeys)
    .set({ signCount, backedUp, lastUsedAt: new Date() })
    .where(and(eq(passkeys.id, passkey.id), counts))
    .returning({ id: passkeys.id });
  return updated.length === 1;
}

export async function renamePasskey(
  userId: string,
  passkeyId: string,
  name: string,
  context: RequestContext,
): Promise<{ ok: true } | { ok: false; reason: 'not_found' }> {
  const db = await getDb();
  const renamed = await db
    .update(passkeys)
    .set({ name })
    .where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, userId)))
    .returning({ id: passkeys.id });
  if (renamed.length === 0) return { ok: false, reason: 'not_found' };
  await recordAuthEvent({ type: 'passkey_renamed', userId, detail: name, context });
  return { ok: true };
}

/**
 * The ways an account can sign in. Every account made today has a password; an account whose
 * hash is empty has none (an account made by another method, which a passkey or a provider
 * identity signs in to). Another method (linked OpenID identities) adds its count here.
 */
export type SignInMethods = { password: boolean; passkeys: number };

export function hasPassword(user: Pick<User, 'hashedPassword'>): boolean {
  return user.hashedPassword !== '';
}

export function countSignInMethods(methods: SignInMethods): number {
  return (methods.password ? 1 : 0) + methods.passkeys;
}

export type PasskeyRemoval = { ok: true } | { ok: false; reason: 'not_found' | 'last_credential' };

/**
 * Removes a passkey, unless it is the account's last way to sign in: an account with only
 * passkeys keeps at least one. The account's row is locked while the methods are counted, so two
 * removals at once cannot each leave the other's passkey as the last and take both.
 */
export async function deletePasskey(
  userId: string,
  passkeyId: string,
  context: RequestContext,
): Promise<PasskeyRemoval> {
  const db = await getDb();
  const removal = await db.transaction(async (tx): Promise<PasskeyRemoval & { name?: string }> => {
    const [owner] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
    if (!owner) return { ok: false, reason: 'not_found' };
    const [counted] = await tx.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId));
    const methods = { password: hasPassword(owner), passkeys: counted?.n ?? 0 };
    const [target] = await tx
      .select({ name: passkeys.name })
      .from(passkeys)
      .where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, userId)));
    if (!target) return { ok: false, reason: 'not_found' };
    if (countSignInMethods(methods) <= 1) return { ok: false, reason: 'last_credential' };
    await tx.delete(passkeys).where(eq(passkeys.id, passkeyId));
    return { ok: true, name: target.name };
  });
  if (!removal.ok) return removal;
  await recordAuthEvent({ type: 'passkey_removed', userId, detail: removal.name ?? null, context });
  return { ok: true };
}

/** What the account page shows of a passkey. */
export type PasskeySummary = {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** Synced by a password manager or a platform's keychain, or bound to one device. */
  storage: 'synced' | 'device_bound';
};

export function toPasskeySummary(passkey: Passkey): PasskeySummary {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
    storage: passkey.backedUp ? 'synced' : 'device_bound',
  };
}
